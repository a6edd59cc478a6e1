"""Every write to a change request goes through here: from pages, the API, the admin and tasks.

Each service locks what it changes, checks permission (changes.rules), validates input
(changes.forms), checks the gate (changes.gates), writes, and appends the ledger entry and the
domain event in the same transaction. Anything it refuses leaves the database untouched.
"""
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django_fsm import can_proceed

from approvals import services as approval_services
from changemgmt import events, ledger
from changemgmt.errors import Conflict, GateRefused, Missing
from changes import rules
from changes.choices import ChangeType, State
from changes.forms import ChangeForm, RiskForm, TestEvidenceForm, reject_unknown
from changes.models import ChangeRequest, StandardTemplate
from changes.risk import FACTORS, band, final_level
from changes.transitions import TRANSITIONS


@dataclass
class Saved:
    change: ChangeRequest
    notices: list[str] = field(default_factory=list)


def _validated(form_class, data, *, instance=None, extra_keys=frozenset()):
    """Validate input with its form; errors come back keyed by field name."""
    reject_unknown(form_class, data, extra=extra_keys)
    form = form_class(data=data, instance=instance) if instance is not None else form_class(data=data)
    if not form.is_valid():
        raise ValidationError({name: [error["message"] for error in errors]
                               for name, errors in form.errors.get_json_data().items()})
    return form


def _lock(change_id) -> ChangeRequest:
    try:
        return ChangeRequest.objects.select_for_update().get(pk=change_id)
    except ChangeRequest.DoesNotExist as exc:
        raise ChangeRequest.DoesNotExist(f"No change with id {change_id}") from exc


def _snapshot(change) -> dict:
    return {"reference": change.reference, "state": change.state, "type": change.change_type,
            "risk_level": change.risk_level}


def create_change(*, actor, data) -> ChangeRequest:
    if not rules.can_create(actor):
        raise PermissionDenied("Your roles do not allow filing changes.")
    with transaction.atomic():
        form = _validated(ChangeForm, data, instance=ChangeRequest(requester=actor, team=actor.team))
        change = form.save(commit=False)
        change.requester = actor
        change.team = actor.team
        if change.owner_id is None:
            change.owner = actor
        change.save()
        form.save_m2m()
        ledger.append(actor=actor, action="change.created", subject=change,
                      payload={**_snapshot(change), "title": change.title})
        events.publish("change.created", actor=actor, change_id=change.pk)
        return change


def create_from_template(*, actor, template_id, data) -> ChangeRequest:
    """A standard change: the template's controlled fields and scorecard, pre-approved."""
    if not rules.can_create(actor):
        raise PermissionDenied("Your roles do not allow filing changes.")
    try:
        template = StandardTemplate.objects.get(pk=template_id, active=True)
    except (StandardTemplate.DoesNotExist, ValueError, TypeError) as exc:
        raise ValidationError({"template": "No active standard template with this id."}) from exc
    merged = {key: data[key] for key in data} if hasattr(data, "keys") else {}
    for name in StandardTemplate.CONTROLLED_FIELDS:
        merged[name] = getattr(template, name)
    merged.setdefault("title", template.name)
    merged.setdefault("description", template.description)
    merged["change_type"] = ChangeType.NORMAL  # the form offers normal; set to standard below
    with transaction.atomic():
        change = create_change(actor=actor, data=merged)
        change.change_type = ChangeType.STANDARD
        change.template = template
        scores = template.risk_scores or {}
        if all(key in scores for key in FACTORS):
            for key, (field_name, _label, _levels) in FACTORS.items():
                setattr(change, field_name, scores[key])
            change.risk_computed = change.risk_level = band({k: scores[k] for k in FACTORS})
        change.save()
        ledger.append(actor=actor, action="change.from_template", subject=change,
                      payload={"template": template.name, "template_id": template.pk})
        return change


def update_change(*, change_id, actor, data) -> Saved:
    """Edit fields (a partial update: absent fields keep their value)."""
    with transaction.atomic():
        change = _lock(change_id)
        if not rules.can_edit(actor, change):
            raise PermissionDenied("Only the author or owner may edit a change, and only before approval.")
        current = ChangeForm(instance=change).initial
        current["services"] = [s.pk for s in change.services.all()]
        current["configuration_items"] = [item.pk for item in change.configuration_items.all()]
        current["owner"] = change.owner_id
        current["change_type"] = change.change_type
        merged = {**current, **{key: data[key] for key in data}}
        before = {name: current.get(name) for name in ChangeForm.Meta.fields}
        form = _validated(ChangeForm, merged, instance=change)
        notices = []
        change = form.save(commit=False)
        if change.template_id and any(form.cleaned_data.get(name) != getattr(change.template, name)
                                      for name in StandardTemplate.CONTROLLED_FIELDS):
            change.change_type = ChangeType.NORMAL
            notices.append(f"This change no longer follows the standard template “{change.template.name}”: it is "
                           "now a normal change and needs approval.")
            ledger.append(actor=actor, action="change.converted_to_normal", subject=change,
                          payload={"template": change.template.name})
            change.template = None
        change.save()
        form.save_m2m()
        changed = sorted(name for name in form.changed_data)
        ledger.append(actor=actor, action="change.updated", subject=change,
                      payload={"fields": changed, "before": {k: before[k] for k in changed if k in before}})
        events.publish("change.updated", actor=actor, change_id=change.pk, fields=changed)
        return Saved(change, notices)


def score_risk(*, change_id, actor, data) -> ChangeRequest:
    """Fill the scorecard and optionally raise (never lower) the level with a justification."""
    with transaction.atomic():
        change = _lock(change_id)
        if not rules.can_score_risk(actor, change):
            raise PermissionDenied("You may not score the risk of this change now.")
        cleaned = _validated(RiskForm, data).cleaned_data
        scores = {key: cleaned[key] for key in FACTORS}
        computed = band(scores)
        override = cleaned.get("override") or ""
        if override and not rules.can_override_risk(actor, change):
            raise PermissionDenied("Only a reviewer may raise the risk level.")
        if override and final_level(computed, override) != override:
            raise ValidationError({"override": f"The level may only be raised above the computed {computed}."})
        previous_level = change.risk_level
        if change.state == State.APPROVAL and previous_level and final_level(previous_level, computed) != computed \
                and computed != previous_level:
            raise ValidationError({"override": "Once in approval the risk level may only be raised."})
        for key, (field_name, _label, _levels) in FACTORS.items():
            setattr(change, field_name, scores[key])
        change.risk_computed = computed
        change.risk_override = override
        change.risk_override_reason = cleaned.get("override_reason", "") if override else ""
        change.risk_override_by = actor if override else None
        change.risk_level = final_level(computed, override)
        change.save()
        ledger.append(actor=actor, action="change.risk_scored", subject=change, payload={
            "scores": scores, "computed": computed, "override": override,
            "justification": change.risk_override_reason, "final": change.risk_level,
        })
        if change.state == State.APPROVAL and change.risk_level != previous_level:
            approval_services.sync_slots(change=change, actor=actor)
        events.publish("change.risk_scored", actor=actor, change_id=change.pk)
        return change


def record_test_evidence(*, change_id, actor, data):
    with transaction.atomic():
        change = _lock(change_id)
        if not rules.can_record_evidence(actor, change):
            raise PermissionDenied("Test evidence is recorded by the author, owner or operations while testing.")
        form = _validated(TestEvidenceForm, data)
        evidence = form.save(commit=False)
        evidence.change = change
        evidence.recorded_by = actor
        evidence.save()
        ledger.append(actor=actor, action="change.test_evidence", subject=change, payload={
            "test_type": evidence.test_type, "result": evidence.result, "summary": evidence.summary,
            "evidence_url": evidence.evidence_url})
        return evidence


def transition_missing(change, name: str, *, data=None, now=None) -> list[Missing]:
    """What the gate of `name` still misses for `change` (data: the transition's input, if any)."""
    return TRANSITIONS[name].gate(change, data or {}, now or timezone.now())


def available_transitions(change) -> list[str]:
    """Transitions whose source state matches (regardless of gate and permission)."""
    return [name for name in TRANSITIONS if can_proceed(getattr(change, name), check_conditions=False)]


def run_transition(*, change_id, name: str, actor, data=None, automatic: bool = False) -> ChangeRequest:
    """Move a change one step. `automatic` marks a move the system makes on someone's behalf (the
    last approval granted, a rejection): permission was checked by the action that caused it."""
    spec = TRANSITIONS.get(name)
    if spec is None:
        raise ValidationError({"transition": f"Unknown transition {name!r}."})
    data = data if data is not None else {}
    with transaction.atomic():
        change = _lock(change_id)
        if not automatic and not rules.can_transition(actor, change, name):
            raise PermissionDenied(f"You may not {spec.label.lower()} this change.")
        if not can_proceed(getattr(change, name), check_conditions=False):
            raise Conflict(f"“{spec.label}” is not possible while the change is at “{change.get_state_display()}”.")
        cleaned = _validated(spec.form, data, extra_keys=spec.extra_keys()).cleaned_data
        now = timezone.now()
        missing = spec.gate(change, cleaned, now)
        if missing:
            raise GateRefused(name, missing)
        before = change.state
        getattr(change, name)()
        if spec.timestamp:
            setattr(change, spec.timestamp, now)
        spec.effect(change, cleaned, actor, now)
        change.save()
        ledger.append(actor=actor, action=f"change.{name}", subject=change, payload={
            "from": before, "to": change.state, "automatic": automatic,
            "input": {key: value for key, value in cleaned.items() if value not in ("", None, {}, [])},
        })
        events.publish(f"change.{name}", actor=actor, change_id=change.pk, from_state=before, to_state=change.state)
        if name == "assess" and not change.approval_slots.filter(status="pending").exists():
            # Nothing to wait for (a pre-approved standard change): approval is immediate.
            return run_transition(change_id=change.pk, name="approve", actor=actor, automatic=True)
        return change
