"""Reads for "My approvals": the slots a person may act on, in a fixed number of queries."""
from django.db.models import Prefetch, Q

from approvals import delegation
from approvals.choices import SLOT_HOLDERS, SlotStatus
from approvals.models import ApprovalSlot
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
    rows = (rows.select_related("change", "decided_by", "on_behalf_of").prefetch_related(live_slots_prefetch())
            .only(*SLOT_FIELDS, *CHANGE_FIELDS, *_person_fields("decided_by"), *_person_fields("on_behalf_of")))
    return rows.order_by("due_at", "id"), delegators


# What a queue row and separation of duties read; a change's long texts are never loaded for the queue.
SLOT_FIELDS = ("id", "change_id", "role", "ordinal", "rule", "policy", "status", "decided_by_id", "decided_at",
               "reason", "created_at", "due_at", "on_behalf_of_id")
CHANGE_FIELDS = ("change__id", "change__title", "change__requester_id", "change__owner_id", "change__team_id")


def _person_fields(path: str) -> tuple[str, ...]:
    return tuple(f"{path}__{name}" for name in ("id", "username", "first_name", "last_name", "team_id"))


def live_slots_prefetch() -> Prefetch:
    """Each slot's change's live slots (separation of duties looks at siblings), as `live_slots`."""
    siblings = (ApprovalSlot.objects.exclude(status=SlotStatus.SUPERSEDED).select_related("decided_by")
                .only("id", "change_id", "status", "decided_by_id", "on_behalf_of_id", *_person_fields("decided_by"))
                .order_by("change_id", "id"))  # by the column: the model's ordering would join the changes
    return Prefetch("change__approval_slots", queryset=siblings, to_attr="live_slots")

