"""Reads for "My approvals": the slots a person may act on, in a fixed number of queries."""
from django.db.models import Prefetch, Q

from approvals import delegation
from approvals.choices import SLOT_HOLDERS, SlotStatus
from approvals.models import ApprovalSlot
from changemgmt import clock
from changemgmt.roles import roles_of


def slot_roles_of(user, delegators=()) -> set[str]:
    """Slot roles `user` may fill: their own, plus those of colleagues who delegated to them today."""
    held = set(roles_of(user))
    for delegator in delegators:
        held |= {g.name for g in delegator.groups.all()}
    return {slot_role for slot_role, holders in SLOT_HOLDERS.items() if held & set(holders)}


def my_slots(user, *, status: str | None = SlotStatus.PENDING, role: str | None = None):
    """Slots waiting for `user`'s roles (pending), or those they decided (granted/rejected), soonest
    due first; changes they authored or own are left out of the pending queue."""
    delegators = delegation.active_delegators(user)
    if status in (SlotStatus.GRANTED, SlotStatus.REJECTED):
        rows = ApprovalSlot.objects.filter(Q(decided_by=user) | Q(on_behalf_of=user), status=status)
    else:
        rows = (ApprovalSlot.objects.filter(status=SlotStatus.PENDING, role__in=slot_roles_of(user, delegators))
                .exclude(change__requester=user).exclude(change__owner=user))
    if role:
        rows = rows.filter(role=role)
    rows = rows.select_related("change", "decided_by", "on_behalf_of").prefetch_related(live_slots_prefetch())
    return rows.order_by("due_at", "id"), delegators


def live_slots_prefetch() -> Prefetch:
    """Each slot's change's live slots (separation of duties looks at siblings), as `live_slots`."""
    return Prefetch("change__approval_slots", queryset=ApprovalSlot.objects.exclude(status=SlotStatus.SUPERSEDED)
                    .select_related("decided_by"), to_attr="live_slots")


def sla_badge(slot, now, cal) -> tuple[str, str]:
    """(text, colour) of a slot's SLA clock."""
    if slot.status != SlotStatus.PENDING or slot.due_at is None:
        return ("", "grey")
    text = clock.describe_due(slot.due_at, now, cal)
    if slot.due_at <= now:
        return (text, "red")
    return (text, "amber" if clock.sla_fraction(slot.created_at, slot.due_at, now, cal) >= 0.5 else "green")
