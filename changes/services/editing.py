"""Editing and rescheduling a change; after assessment the approval slots follow what changed
[POLICY §3, §4]."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from approvals import services as approval_services
from approvals.choices import SlotStatus
from changemgmt import events, ledger
from changemgmt.errors import GateRefused
from changes import gates, rules
from changes.choices import ChangeType, State
from changes.forms import ChangeForm, RescheduleForm
from changes.models import ChangeRequest
from changes.services.common import Saved, _lock, _validated
from changes.services.filing import _conversion_notice, _deviations
from changes.services.transition import run_transition

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
