"""Filing a change, from scratch or from a standard template [POLICY §1]."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from changemgmt import events, ledger
from changes import rules
from changes.choices import ChangeType
from changes.forms import ChangeForm
from changes.models import ChangeRequest, StandardTemplate
from changes.risk import FACTORS, band
from changes.services.common import _snapshot, _validated


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
