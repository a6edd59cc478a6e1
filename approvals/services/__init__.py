"""Writes to approvals: creating the required slots, deciding them, and the on-call roster of
emergency authorizers.

The approvals layer does not import changes. It tells changes what a decision did through domain
events ("approval.rejected", "approval.all_granted"), whose one subscriber list is changes/subscribers.py
(it moves the change, in this transaction). Everything the change must tell approvals it passes in
(`sync_slots(extra=...)`).
"""
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from approvals import notices, rules
from approvals.choices import DecisionChannel, SlotRole, SlotStatus, Verdict
from approvals.delegation import acting_for
from approvals.matrix import required_slots
from approvals.models import ApprovalSlot, EmailDecisionLink, OnCallShift
from approvals.sla import timer_fields
from changemgmt import events, ledger, locking
from changemgmt.errors import Conflict
from changemgmt.roles import Role, has_role

MAX_REASON = 5000


def sync_slots(*, change, actor, extra) -> list[ApprovalSlot]:
    """Make the change's live slots match what policy requires for its current risk, category and
    triggers, plus `extra`, the approvals the change requires beyond the matrix ((role, rule, policy)
    tuples: its schedule hits a soft freeze; the caller in changes passes change.extra_approvals()):
    add missing ones, supersede pending ones no longer required, tell the holders of new ones.
    Decided slots are kept. Must run inside the caller's transaction, with the change locked."""
    specs = required_slots(risk_level=change.risk_level, category=change.category,
                           security_triggers=change.security_triggers, extra=extra)
    live = {(s.role, s.ordinal): s for s in change.approval_slots.exclude(status=SlotStatus.SUPERSEDED)}
    wanted = {(spec.role, spec.ordinal): spec for spec in specs}
    created, superseded = [], []
    start = timezone.now()  # one instant for the slots created together: their SLA steps fall due together
    timers = timer_fields(start=start, risk_level=change.risk_level)
    for key, spec in wanted.items():
        if key not in live:
            created.append(ApprovalSlot.objects.create(change=change, role=spec.role, ordinal=spec.ordinal,
                                                       rule=spec.rule, policy=spec.policy, created_at=start,
                                                       **timers))
    for key, slot in live.items():
        if key not in wanted and slot.status == SlotStatus.PENDING:
            slot.status = SlotStatus.SUPERSEDED
            slot.save(update_fields=["status"])
            superseded.append(slot)
    if created or superseded:
        ledger.append(actor=actor, action="approvals.slots_synced", subject=change, payload={
            "risk_level": change.risk_level,
            "created": [f"{s.role}#{s.ordinal}: {s.rule}" for s in created],
            "superseded": [f"{s.role}#{s.ordinal}" for s in superseded],
        })
    plan_email_links(notices.slots_requested(created))
    events.publish("approval.slots_created", actor=actor, change_id=change.pk,
                   slot_ids=[s.pk for s in created])
    return created


def plan_email_links(asked) -> None:
    """`asked`: the (slot, notification) pairs of an approval request, in the requesting transaction. Each
    person's mail will carry a grant and a reject link (approvals.email_link_services mints them when the mail
    is rendered). A CAB slot gets none: only the board decides it, in a meeting."""
    EmailDecisionLink.objects.bulk_create([
        EmailDecisionLink(slot=slot, user_id=notification.user_id, action=action, notification=notification)
        for slot, notification in asked if slot.role != SlotRole.CAB for action in (Verdict.GRANT, Verdict.REJECT)])


def supersede_pending(*, change, actor, why: str) -> None:
    """A change that left the approval stage (cancelled, rejected) no longer waits on anyone."""
    count = change.approval_slots.filter(status=SlotStatus.PENDING).update(status=SlotStatus.SUPERSEDED)
    if count:
        ledger.append(actor=actor, action="approvals.superseded", subject=change, payload={"count": count,
                                                                                           "why": why})


def supersede_live(*, change, actor, why: str) -> None:
    """A change sent back to request is assessed and approved afresh: every live slot, granted ones
    too, is superseded (the author may now edit anything the approvers judged)."""
    count = change.approval_slots.exclude(status=SlotStatus.SUPERSEDED).update(status=SlotStatus.SUPERSEDED)
    if count:
        ledger.append(actor=actor, action="approvals.superseded", subject=change, payload={"count": count,
                                                                                           "why": why})


def _lock(slot_id: int):
    """Lock the slot's change, then the slot: the order of changemgmt.locking (cancel locks the change
    before its slots too, so the two queue instead of deadlocking)."""
    locked = (ApprovalSlot.objects.select_related("change").select_for_update(of=("change",))
              .filter(pk=slot_id).first())
    if locked is None:
        raise ApprovalSlot.DoesNotExist(f"No approval slot {slot_id}")
    slot = ApprovalSlot.objects.select_for_update().get(pk=slot_id)
    slot.change = locked.change
    return slot, locked.change


def _clean(verdict: str, reason: str) -> str:
    if verdict not in Verdict.values:
        raise ValidationError({"verdict": f"Must be one of {', '.join(Verdict.values)}."})
    reason = (reason or "").strip()
    if verdict == Verdict.REJECT and not reason:
        raise ValidationError({"reason": "A rejection needs a reason."})
    if len(reason) > MAX_REASON:
        raise ValidationError({"reason": f"At most {MAX_REASON} characters."})
    return reason


def decide(*, slot_id: int, actor, verdict: str, reason: str = "", channel: str = "") -> ApprovalSlot:
    """Grant or reject one slot (page, API, e-mail link, demo). Exactly one of two racing decisions wins; the
    other, and a decision racing a cancel, gets Conflict (409). A CAB slot is refused here: only the board
    decides it, through `decide_by_board`. `channel` records the door (DecisionChannel) with the decision."""
    reason = _clean(verdict, reason)
    if channel and channel not in DecisionChannel.values:
        raise ValidationError({"channel": f"Must be one of {', '.join(DecisionChannel.values)}."})
    return locking.atomic_retry(lambda: _decide(slot_id, actor, verdict, reason, by_board=False, channel=channel))


def decide_by_board(*, decision, verdict: str, reason: str) -> ApprovalSlot:
    """The CAB slot decided by a board decision (cab.services.voting.record_decision, inside its
    transaction): `decision` is the cab Decision just recorded by the chair in a meeting in progress with
    quorum. Anything else is refused, so no door decides a CAB slot without the board."""
    reason = _clean(verdict, reason)
    item = decision.item
    if not (decision.tally or {}).get("quorum", {}).get("met") or item.meeting.status != "in_progress":
        raise PermissionDenied(rules.CAB_ONLY)
    return _decide(item.slot_id, decision.decided_by, verdict, reason, by_board=True, channel=DecisionChannel.CAB)


def _decide(slot_id, actor, verdict, reason, *, by_board: bool, channel: str) -> ApprovalSlot:
    with transaction.atomic():
        slot, change = _lock(slot_id)
        if slot.status != SlotStatus.PENDING:
            who = slot.decided_by.username if slot.decided_by_id else "policy"
            raise Conflict(f"This approval is already {slot.get_status_display().lower()} (by {who}).")
        siblings = list(change.approval_slots.exclude(status=SlotStatus.SUPERSEDED).select_related("decided_by"))
        on_behalf_of = acting_for(actor, slot)
        refusals = rules.decision_refusals(actor, slot, siblings=siblings, verdict=verdict, on_behalf_of=on_behalf_of,
                                           by_board=by_board)
        if refusals:
            raise PermissionDenied(" ".join(refusals))
        slot.status = SlotStatus.GRANTED if verdict == Verdict.GRANT else SlotStatus.REJECTED
        slot.decided_by = actor
        slot.decided_at = timezone.now()
        slot.reason = reason
        slot.on_behalf_of = on_behalf_of
        slot.channel = channel
        slot.save(update_fields=["status", "decided_by", "decided_at", "reason", "on_behalf_of", "channel"])
        ledger.append(actor=actor, action=f"approval.{slot.status}", subject=change, payload={
            "slot": f"{slot.role}#{slot.ordinal}", "slot_id": slot.pk, "reason": reason,
            **({"on_behalf_of": on_behalf_of.username} if on_behalf_of else {}),
            **({"by": "cab"} if by_board else {}),
            **({"via": channel} if channel else {}),
        })
        if slot.status == SlotStatus.REJECTED:
            events.publish("approval.rejected", actor=actor, change_id=change.pk, slot_id=slot.pk, reason=reason)
        elif not any(s.status == SlotStatus.PENDING for s in siblings if s.pk != slot.pk):
            events.publish("approval.all_granted", actor=actor, change_id=change.pk)
        return slot


def _shift_payload(shift: OnCallShift) -> dict:
    return {"role": shift.role, "user": shift.user.username, "starts_at": shift.starts_at, "ends_at": shift.ends_at}


def _check_roster_editor(actor) -> None:
    """After hours only the people on call may authorize an emergency change [POLICY §7], so every edit
    of the roster is an administrator's, and audited."""
    if not has_role(actor, Role.ADMINISTRATOR):
        raise PermissionDenied("Only administrators edit the on-call roster.")


def save_shift(*, actor, shift: OnCallShift) -> OnCallShift:
    """Create or change an on-call shift with a ledger entry. Validated here (fields, the user, the end after
    the start) for every door: the admin's form has done so already, the API's body only parses."""
    _check_roster_editor(actor)
    shift.full_clean()
    with transaction.atomic():
        created = shift.pk is None
        before = None if created else _shift_payload(OnCallShift.objects.select_for_update().get(pk=shift.pk))
        shift.save()
        ledger.append(actor=actor, action="oncall.shift_added" if created else "oncall.shift_changed",
                      subject=shift, payload={**_shift_payload(shift), **({"before": before} if before else {})})
    return shift


def delete_shift(*, actor, shift: OnCallShift) -> None:
    _check_roster_editor(actor)
    with transaction.atomic():
        ledger.append(actor=actor, action="oncall.shift_removed", subject=shift, payload=_shift_payload(shift))
        shift.delete()
