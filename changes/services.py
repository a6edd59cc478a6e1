"""Every write to a change request goes through here: from pages, the API, the admin and tasks.

Each service locks what it changes, checks permission (changes.rules), validates input
(changes.forms), checks the gate (changes.gates), writes, and appends the ledger entry and the
domain event in the same transaction. Anything it refuses leaves the database untouched.
"""
import re
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_fsm import can_proceed

from approvals import services as approval_services
from approvals.choices import SlotStatus
from changemgmt import events, ledger, locking
from changemgmt.errors import Conflict, GateRefused, Missing
from changemgmt.models import NotificationKind
from changemgmt.notifications import Message, notify_many
from changes import gates, rules
from changes.choices import RISK_ORDER, ChangeType, State
from changes.forms import (
    EXTERNAL_REFERENCE,
    ChangeForm,
    RescheduleForm,
    RiskForm,
    TestEvidenceForm,
    reject_unknown,
)
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
    return _file(actor=actor, data=data)


def _file(*, actor, data, template=None) -> ChangeRequest:
    """File a change; with `template`, a standard change from it, so its `change.created` entry says
    "standard" from the first entry on."""
    if not rules.can_create(actor):
        raise PermissionDenied("Your roles do not allow filing changes.")
    with transaction.atomic():
        form = _validated(ChangeForm, data, instance=ChangeRequest(requester=actor, team=actor.team))
        change = form.save(commit=False)
        change.requester = actor
        change.team = actor.team
        if change.owner_id is None:
            change.owner = actor
        if template is not None:
            change.change_type = ChangeType.STANDARD
            change.template = template
        change.save()
        form.save_m2m()
        ledger.append(actor=actor, action="change.created", subject=change, payload={
            **_snapshot(change), "title": change.title,
            **({"external_reference": change.external_reference} if change.external_key else {})})
        events.publish("change.created", actor=actor, change_id=change.pk)
        return change


def save_by_external_reference(*, actor, source, key, data) -> tuple[Saved, bool]:
    """Create-or-update for a ticketing tool (issue 10 §8): the change carrying (source, key) is edited as
    `update_change` edits it; without one a change carrying the pair is filed as `create_change` files it
    (`create_from_template` with a `template` id). Same validation, same ledger entries. (saved, created)."""
    data = {name: data[name] for name in data}
    for name, value in (("external_source", source), ("external_key", key)):
        if not re.match(EXTERNAL_REFERENCE[name], value):
            raise ValidationError({name: [ChangeForm.base_fields[name].error_messages["invalid"]]})
        if name in data and data.pop(name) != value:
            raise ValidationError({name: ["The path names the external reference: leave it out or repeat it."]})
    found = ChangeRequest.objects.filter(external_source=source, external_key=key).values_list("pk", flat=True)
    if not found:
        payload = {**data, "external_source": source, "external_key": key}
        template = payload.pop("template", None)
        try:
            with transaction.atomic():
                change = (create_from_template(actor=actor, template_id=template, data=payload) if template is not None
                          else create_change(actor=actor, data=payload))
            return Saved(change, getattr(change, "notices", [])), True
        except IntegrityError:  # filed by a concurrent request since: edit it instead
            pass
    if "template" in data:
        raise ValidationError({"template": ["Only when the change is filed: this external reference has one."]})
    return update_change(change_id=found.get(), actor=actor, data=data), False


def _deviations(template, cleaned) -> list[str]:
    """How a change departs from its standard template [POLICY §1: a standard change that deviates from
    its template becomes a normal change]. A ticked security trigger is such a departure: the template
    was pre-approved without one, and POLICY §3 asks for a security review "whatever the risk", which
    only the approval of a normal change gives (a standard change has no slots at all)."""
    reasons = [f"its {name.replace('_', ' ')} differs from the template" for name in StandardTemplate.CONTROLLED_FIELDS
               if cleaned.get(name) != getattr(template, name)]
    if cleaned.get("security_triggers"):
        reasons.append("a security review trigger is ticked (POLICY §3)")
    return reasons


def _conversion_notice(template, reasons) -> str:
    return (f"This change no longer follows the standard template “{template.name}” ({'; '.join(reasons)}): it is "
            "now a normal change and needs approval.")


def create_from_template(*, actor, template_id, data) -> ChangeRequest:
    """A standard change: the template's controlled fields and scorecard, pre-approved. One with a
    security trigger ticked is filed as a normal change instead (see `_deviations`); the returned change
    then carries the explanation in `notices`."""
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
    merged["change_type"] = ChangeType.NORMAL  # the form offers normal; _file makes it standard
    if hasattr(data, "getlist") and "security_triggers" in data:  # a QueryDict: keep every ticked box
        merged["security_triggers"] = data.getlist("security_triggers")
    reasons = _deviations(template, merged)
    with transaction.atomic():
        change = _file(actor=actor, data=merged, template=None if reasons else template)
        scores = template.risk_scores or {}
        if all(key in scores for key in FACTORS):
            for key, (field_name, _label, _levels) in FACTORS.items():
                setattr(change, field_name, scores[key])
            change.risk_computed = change.risk_level = band({k: scores[k] for k in FACTORS})
        change.save()
        ledger.append(actor=actor, action="change.from_template", subject=change, payload={
            "template": template.name, "template_id": template.pk, "type": change.change_type,
            **({"deviations": reasons} if reasons else {})})
        change.notices = [_conversion_notice(template, reasons)] if reasons else []
        return change


# Where a raised risk level may send a change back to request: past assessment, before deployment. In
# assessment the assess gate itself re-checks lead time and window at the final level.
RETURNABLE_STATES = rules.SCOPE_STATES
RETURNED_NOTIFICATION = NotificationKind.RETURNED_TO_REQUEST

# What may still change after assessment, and what of it decides the approval slots.
SCOPE_FIELDS = {"planned_start", "planned_end", "services", "configuration_items", "category", "security_triggers",
                "freeze_justification"}
SLOT_FIELDS = SCOPE_FIELDS - {"freeze_justification"}
SCHEDULE_FIELDS = {"planned_start", "planned_end"}


def _hold_to_submit_gate(change, *, action: str, rescheduled: bool) -> None:
    """A change past submission keeps satisfying the submit gate as of now: refuse the write otherwise."""
    if change.state == State.DRAFT:
        return
    missing = gates.standing_submit_gate(change, timezone.now(), rescheduled=rescheduled)
    if missing:
        raise GateRefused(action, missing)


def _resync_slots(change, actor, notices: list[str], why: str) -> ChangeRequest:
    """After assessment, re-compute the slots for what changed (approvals.services.sync_slots) and keep
    the state in step with them [POLICY §3, §4 approve]: a change with a pending slot is in approval (an
    approved change goes back to it, with a notice and a ledger entry), and one in approval with every
    slot granted moves on to testing. Returns the change as it now is."""
    if change.state not in rules.SCOPE_STATES or change.change_type == ChangeType.STANDARD:
        return change
    approval_services.sync_slots(change=change, actor=actor, extra=change.extra_approvals())
    pending = change.approval_slots.filter(status=SlotStatus.PENDING).exists()
    if pending and change.state in (State.TESTING, State.READY):
        before = change.state
        change.return_to_approval()
        change.approved_at = None
        change.save()
        notices.append(f"{why}: the change needs approval again and is back in approval until the new "
                       "approvals are granted.")
        ledger.append(actor=actor, action="change.returned_to_approval", subject=change,
                      payload={"from": before, "to": change.state, "why": why})
        events.publish("change.returned_to_approval", actor=actor, change_id=change.pk, from_state=before)
    elif not pending and change.state == State.APPROVAL:
        return run_transition(change_id=change.pk, name="approve", actor=actor, automatic=True)
    return change


def update_change(*, change_id, actor, data) -> Saved:
    """Edit fields (a partial update: absent fields keep their value). After submission the edit must
    leave the submit gate holding as of now (else GateRefused, nothing written); after assessment only
    the SCOPE_FIELDS may change, and changing them re-computes the approval slots."""
    with transaction.atomic():
        change = _lock(change_id)
        scope_only = rules.can_edit_scope(actor, change)
        if not (rules.can_edit(actor, change) or scope_only):
            raise PermissionDenied("Only the author or owner may edit a change, and only before approval.")
        current = ChangeForm(instance=change).initial
        current["services"] = [s.pk for s in change.services.all()]
        current["configuration_items"] = [item.pk for item in change.configuration_items.all()]
        current["owner"] = change.owner_id
        current["change_type"] = change.change_type
        merged = {**current, **{key: data[key] for key in data}}
        before = {name: current.get(name) for name in ChangeForm.Meta.fields}
        form = _validated(ChangeForm, merged, instance=change)
        changed = sorted(name for name in form.changed_data)
        if scope_only and set(changed) - SCOPE_FIELDS:
            raise PermissionDenied(
                f"After assessment only the schedule, services, configuration items, category, security triggers "
                f"and freeze justification may change (not: {', '.join(sorted(set(changed) - SCOPE_FIELDS))}).")
        notices = []
        change = form.save(commit=False)
        template = change.template
        reasons = _deviations(template, form.cleaned_data) if template else []
        if reasons:
            change.change_type = ChangeType.NORMAL
            notices.append(_conversion_notice(template, reasons))
            ledger.append(actor=actor, action="change.converted_to_normal", subject=change,
                          payload={"template": template.name, "deviations": reasons})
            change.template = None
        change.save()
        form.save_m2m()
        _hold_to_submit_gate(change, action="edit", rescheduled=bool(SCHEDULE_FIELDS & set(changed)))
        ledger.append(actor=actor, action="change.updated", subject=change,
                      payload={"fields": changed, "before": {k: before[k] for k in changed if k in before}})
        if reasons or SLOT_FIELDS & set(changed):
            change = _resync_slots(change, actor, notices, f"{', '.join(changed) or 'the template'} changed")
        events.publish("change.updated", actor=actor, change_id=change.pk, fields=changed)
        return Saved(change, notices)


def reschedule(*, change_id, actor, planned_start, planned_end, reason) -> Saved:
    """Move a change's plan, before it deploys. The new plan passes lead time (counted from now), window
    and freeze checks as of now, conflicts are recomputed (the change.updated event), and after
    assessment the slots follow the new plan: a plan that now asks for an approval it lacks (a soft
    freeze's extra approval) sends an approved change back to approval."""
    with transaction.atomic():
        change = _lock(change_id)
        if not rules.can_reschedule(actor, change):
            raise PermissionDenied("Only the author, owner, operations or an administrator may reschedule a "
                                   "change, and only before it is deployed.")
        cleaned = _validated(RescheduleForm, {"planned_start": planned_start, "planned_end": planned_end,
                                              "reason": reason}).cleaned_data
        before = {"planned_start": change.planned_start, "planned_end": change.planned_end}
        change.planned_start, change.planned_end = cleaned["planned_start"], cleaned["planned_end"]
        change.save()
        _hold_to_submit_gate(change, action="reschedule", rescheduled=True)
        ledger.append(actor=actor, action="change.rescheduled", subject=change, payload={
            "before": before, "after": {"planned_start": change.planned_start, "planned_end": change.planned_end},
            "reason": cleaned["reason"]})
        notices = []
        change = _resync_slots(change, actor, notices, "The schedule changed")
        events.publish("change.updated", actor=actor, change_id=change.pk, fields=sorted(SCHEDULE_FIELDS))
        return Saved(change, notices)


def score_risk(*, change_id, actor, data) -> ChangeRequest:
    """Fill the scorecard and optionally raise (never lower) the level with a justification. A raise
    stands, whoever re-scores, until the person who raised it or a higher role withdraws it with a
    reason (`withdraw_raise`, rules.can_withdraw_raise) [POLICY §2: a reviewer may raise, never lower].
    A new level whose lead time from submission or window the plan misses sends a change past
    assessment back to request (`_return_to_request`), with the reason in `change.notices`."""
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
        standing, raiser = change.risk_override, change.risk_override_by
        raised_by = f" by {raiser.username}" if raiser else ""
        withdrawn = None
        if cleaned.get("withdraw_raise"):
            if not standing:
                raise ValidationError({"withdraw_raise": "The level is not raised: there is nothing to withdraw."})
            if not rules.can_withdraw_raise(actor, change):
                raise PermissionDenied(f"The level was raised to {standing}{raised_by}: only they or a higher role "
                                       "may withdraw the raise.")
            withdrawn = {"level": standing, "raised_by": raiser.username if raiser else None,
                         "reason": cleaned["withdraw_reason"].strip()}
            override, by, justification = "", None, ""
        elif override and standing and RISK_ORDER[override] < RISK_ORDER[standing]:
            raise ValidationError({"override": f"The level stands raised to {standing}{raised_by}; it may not be "
                                               "lowered, only withdrawn by them or a higher role."})
        elif override and override != standing:
            by, justification = actor, cleaned.get("override_reason", "")
        else:  # no new raise: a standing one stands, with its author and justification
            override, by, justification = standing, raiser, change.risk_override_reason
        previous_level = change.risk_level
        new_level = final_level(computed, override)
        if change.state == State.APPROVAL and previous_level and RISK_ORDER[new_level] < RISK_ORDER[previous_level]:
            raise ValidationError({"override": "Once in approval the risk level may only be raised."})
        for key, (field_name, _label, _levels) in FACTORS.items():
            setattr(change, field_name, scores[key])
        change.risk_computed = computed
        change.risk_override = override
        change.risk_override_reason = justification if override else ""
        change.risk_override_by = by if override else None
        change.risk_level = new_level
        change.save()
        ledger.append(actor=actor, action="change.risk_scored", subject=change, payload={
            "scores": scores, "computed": computed, "override": override,
            "justification": change.risk_override_reason, "final": change.risk_level,
            "raised_by": change.risk_override_by.username if change.risk_override_by else None,
            **({"withdrawn": withdrawn} if withdrawn else {}),
        })
        breached = _breached_by_new_level(change, previous_level)
        change.notices = [_return_to_request(change, actor, breached)] if breached else []
        if change.state == State.APPROVAL and change.risk_level != previous_level:
            approval_services.sync_slots(change=change, actor=actor, extra=change.extra_approvals())
        events.publish("change.risk_scored", actor=actor, change_id=change.pk)
        return change


def _breached_by_new_level(change, previous_level) -> list[Missing]:
    """The submit gate's risk-dependent items (lead time from submission, window) that fail at the
    change's new level and held at the previous one, for a non-emergency change past assessment that
    has not deployed. An emergency change keeps its own lead-time rules [POLICY §7]."""
    if (change.state not in RETURNABLE_STATES or change.change_type == ChangeType.EMERGENCY
            or change.risk_level == previous_level):
        return []
    held = {item.code for item in gates.risk_schedule_items(change, previous_level or "low")}
    return [item for item in gates.risk_schedule_items(change, change.risk_level) if item.code not in held]


def _return_to_request(change, actor, breached: list[Missing]) -> str:
    """Send a change whose plan its new risk level breaks back to request [POLICY §1, §4]: its approvals
    are superseded (it is assessed and approved afresh), the submission is undone, the ledger says why
    and the owner and requester are told. Re-submitting a later plan re-runs every check."""
    before = change.state
    change.return_to_request()
    change.submitted_at = change.approved_at = None
    change.save()
    why = f"its risk level is now {change.risk_level}: " + " ".join(item.message for item in breached)
    approval_services.supersede_live(change=change, actor=actor, why=f"change returned to request ({before})")
    ledger.append(actor=actor, action="change.returned_to_request", subject=change, payload={
        "from": before, "to": change.state, "risk_level": change.risk_level,
        "missing": [{"code": item.code, "message": item.message, "policy": item.policy} for item in breached]})
    events.publish("change.returned_to_request", actor=actor, change_id=change.pk, from_state=before)
    notice = f"{change.reference} is back in request because {why} Re-plan it and submit it again."
    notify_many([Message(user_id, RETURNED_NOTIFICATION, f"{change.reference} is back in request",
                         f"“{change.title}”: {notice}", f"/changes/{change.pk}/")
                 for user_id in sorted({change.owner_id, change.requester_id} - {None})])
    return notice


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
    last approval granted, a rejection): permission was checked by the action that caused it. A lost
    lock race is run once more, then answered with Conflict (changemgmt.locking.atomic_retry)."""
    spec = TRANSITIONS.get(name)
    if spec is None:
        raise ValidationError({"transition": f"Unknown transition {name!r}."})
    data = data if data is not None else {}
    return locking.atomic_retry(lambda: _transition(change_id, spec, actor, data, automatic))


def _transition(change_id, spec, actor, data, automatic: bool) -> ChangeRequest:
    name = spec.name
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
