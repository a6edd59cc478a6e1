"""Reads for "My approvals": the slots a person may act on, in a fixed number of queries."""
import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, Q
from django.utils import timezone

from approvals import badges, delegation
from approvals.choices import SLOT_HOLDERS, SlotStatus
from approvals.models import ApprovalSlot
from approvals.queue_slots import QueueSlot, queue_slots
from approvals.rules import decision_refusals
from changemgmt.roles import roles_of


def slot_roles_of(user, delegators=()) -> set[str]:
    """Slot roles `user` may fill: their own, plus those of colleagues who delegated to them today."""
    held = set(roles_of(user))
    for delegator in delegators:
        held |= {g.name for g in delegator.groups.all()}
    return {slot_role for slot_role, holders in SLOT_HOLDERS.items() if held & set(holders)}


# `sort` keys of My approvals (page and `GET /api/approvals/mine/?sort=`): soonest due first by default.
QUEUE_SORTS = {
    "due": (F("due_at").asc(nulls_last=True), "id"), "-due": (F("due_at").desc(nulls_last=True), "-id"),
    "change": ("change_id", "ordinal", "id"), "-change": ("-change_id", "ordinal", "id"),
    "role": ("role", "ordinal", "id"), "-role": ("-role", "ordinal", "id"),
    "requested": ("created_at", "id"), "-requested": ("-created_at", "-id"),
}


QUEUE_LIMIT = 500  # rows My approvals (page and API) shows at most


def my_queue(user, delegators, *, status: str | None = SlotStatus.PENDING, role: str | None = None,
             sort: str = "due"):
    """The query of the slots waiting for `user`'s roles or their `delegators`' (pending), or those they
    decided (granted/rejected), in `sort` order (a key of QUEUE_SORTS); changes they authored or own
    are left out of the pending queue."""
    if status in (SlotStatus.GRANTED, SlotStatus.REJECTED):
        rows = ApprovalSlot.objects.filter(Q(decided_by=user) | Q(on_behalf_of=user), status=status)
    else:
        rows = (ApprovalSlot.objects.filter(status=SlotStatus.PENDING, role__in=slot_roles_of(user, delegators))
                .exclude(change__requester=user).exclude(change__owner=user))
    if role:
        rows = rows.filter(role=role)
    return rows.order_by(*QUEUE_SORTS[sort])


def my_slots(user, *, status: str | None = SlotStatus.PENDING, role: str | None = None, sort: str = "due",
             delegators=None) -> tuple[list[QueueSlot], list]:
    """The first QUEUE_LIMIT of `my_queue` as QueueSlots, and the delegators (fetched unless given)."""
    if delegators is None:
        delegators = delegation.active_delegators(user)
    return queue_slots(my_queue(user, delegators, status=status, role=role, sort=sort)[:QUEUE_LIMIT]), delegators


def version_of(slot_ids) -> str:
    return hashlib.sha256(",".join(map(str, slot_ids)).encode()).hexdigest()[:16]


def queue_version(user, *, sort: str = "due", delegators=None) -> str:
    """Moves whenever My approvals would show other rows (a slot added, decided, delegated, reordered):
    its live check. It hashes the ids of the rows the page shows (the first QUEUE_LIMIT in its order),
    so the page computes it from its own rows (`version_of`) and a poll reads only those ids."""
    if delegators is None:
        delegators = delegation.active_delegators(user)
    return version_of(my_queue(user, delegators, sort=sort).values_list("id", flat=True)[:QUEUE_LIMIT])


@dataclass(frozen=True)
class QueueRow:
    """A slot as "My approvals" shows it over the API: its SLA clock and whether I may decide it."""

    id: int
    change: int
    change_reference: str
    change_title: str
    role: str
    ordinal: int
    rule: str
    policy: str
    status: str
    due_at: datetime | None
    sla: str
    sla_colour: str
    decided_by: str | None
    on_behalf_of: str | None
    channel: str
    may_decide: bool
    refusals: list[str]
    acting_for: str | None


def queue_rows(user, *, status: str, role: str | None, sort: str = "due") -> list[QueueRow]:
    """`my_slots` as finished rows (no query per row)."""
    rows, delegators = my_slots(user, status=status, role=role, sort=sort)
    clock = badges.RequestClock(timezone.now())
    return [_queue_row(slot, user, delegators, clock) for slot in rows]


def _queue_row(slot, user, delegators, clock) -> QueueRow:
    text, colour = badges.sla_badge(slot, clock)
    on_behalf = delegation.acting_for(user, slot, delegators)
    refusals = decision_refusals(user, slot, siblings=slot.change.live_slots, on_behalf_of=on_behalf) \
        if slot.status == SlotStatus.PENDING else []
    return QueueRow(
        id=slot.pk, change=slot.change_id, change_reference=slot.change.reference, change_title=slot.change.title,
        role=slot.role, ordinal=slot.ordinal, rule=slot.rule, policy=slot.policy, status=slot.status,
        due_at=slot.due_at, sla=text, sla_colour=colour,
        decided_by=slot.decided_by.username if slot.decided_by_id else None,
        on_behalf_of=slot.on_behalf_of.username if slot.on_behalf_of_id else None, channel=slot.channel,
        may_decide=not refusals, refusals=refusals, acting_for=on_behalf.username if on_behalf else None)
