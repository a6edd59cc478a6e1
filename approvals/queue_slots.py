"""My approvals' slots as plain rows: two `values_list` queries instead of model instances.

The queue shows up to 500 slots. As model instances (each slot with its change, decider and
delegator joined, each change with its live slots prefetched) one page built ~3,800 objects that
point at each other (the prefetch caches each sibling's change on it), so they outlived the request
until a full garbage collection: the page's p95 was 2.4× its median (bench/README.md). These rows
carry only the columns the queue shows and separation of duties reads, refer to nothing that refers
back, and answer the attribute names approvals.rules, approvals.badges and approvals.delegation ask
a slot for, so those stay the one place their rules live.
"""
from dataclasses import dataclass
from datetime import datetime

from approvals.choices import DecisionChannel, SlotRole, SlotStatus
from approvals.models import ApprovalSlot

ROLE_LABELS = dict(SlotRole.choices)
CHANNEL_LABELS = dict(DecisionChannel.choices)


@dataclass(slots=True)
class Person:
    """A decider or delegator as the queue names them."""

    pk: int
    username: str
    first_name: str
    last_name: str
    team_id: int | None

    def get_full_name(self) -> str:  # what django.contrib.auth's AbstractUser.get_full_name returns
        return f"{self.first_name} {self.last_name}".strip()


@dataclass(slots=True)
class Decider:
    """Who decided a sibling slot, as far as separation of duties reads them (dual control: the team)."""

    pk: int
    team_id: int | None


@dataclass(slots=True)
class Sibling:
    """A live slot of the same change, as separation of duties reads it."""

    pk: int
    status: str
    decided_by_id: int | None
    on_behalf_of_id: int | None
    decided_by: Decider | None


@dataclass(slots=True)
class QueueChange:
    pk: int
    title: str
    requester_id: int
    owner_id: int | None
    team_id: int | None
    live_slots: list

    @property
    def reference(self) -> str:
        """The change model's own CHG-000042 (approvals may not import changes)."""
        return ApprovalSlot._meta.get_field("change").related_model.reference.fget(self)


@dataclass(slots=True)
class QueueSlot:
    pk: int
    change_id: int
    role: str
    ordinal: int
    rule: str
    policy: str
    status: str
    decided_at: datetime | None
    reason: str
    created_at: datetime
    due_at: datetime | None
    channel: str
    decided_by_id: int | None
    on_behalf_of_id: int | None
    decided_by: Person | None
    on_behalf_of: Person | None
    change: QueueChange

    def get_role_display(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)

    def get_channel_display(self) -> str:
        return CHANNEL_LABELS.get(self.channel, self.channel)


_PERSON = ("id", "username", "first_name", "last_name", "team_id")
_COLUMNS = ("id", "change_id", "role", "ordinal", "rule", "policy", "status", "decided_at", "reason", "created_at",
            "due_at", "channel", "decided_by_id", "on_behalf_of_id",
            "change__title", "change__requester_id", "change__owner_id", "change__team_id",
            *(f"decided_by__{name}" for name in _PERSON[1:]), *(f"on_behalf_of__{name}" for name in _PERSON[1:]))


def queue_slots(queryset) -> list[QueueSlot]:
    """`queryset`'s slots (ApprovalSlot rows, sliced and ordered as the caller wants) as QueueSlots, each
    change once with its live slots, each person once: two queries whatever the number of rows."""
    changes, slots, people, deciders = {}, [], {}, {}

    def person(pk, fields) -> Person | None:
        if pk is None:
            return None
        known = people.get(pk)
        if known is None:
            known = people[pk] = Person(pk, *fields)
        return known

    for (pk, change_id, role, ordinal, rule, policy, status, decided_at, reason, created_at, due_at, channel,
         decided_by_id, on_behalf_of_id, title, requester_id, owner_id, team_id, *names) in (
            queryset.values_list(*_COLUMNS)):
        change = changes.get(change_id)
        if change is None:
            change = changes[change_id] = QueueChange(change_id, title, requester_id, owner_id, team_id, [])
        slots.append(QueueSlot(pk, change_id, role, ordinal, rule, policy, status, decided_at, reason, created_at,
                               due_at, channel, decided_by_id, on_behalf_of_id, person(decided_by_id, names[:4]),
                               person(on_behalf_of_id, names[4:]), change))
    if changes:
        siblings = (ApprovalSlot.objects.filter(change_id__in=list(changes)).exclude(status=SlotStatus.SUPERSEDED)
                    .order_by("change_id", "id")  # by the column: the model's ordering would join the changes
                    .values_list("id", "change_id", "status", "decided_by_id", "on_behalf_of_id",
                                 "decided_by__team_id"))
        for pk, change_id, status, decided_by_id, on_behalf_of_id, team_id in siblings:
            decider = deciders.get(decided_by_id)
            if decider is None and decided_by_id is not None:
                decider = deciders[decided_by_id] = Decider(decided_by_id, team_id)
            changes[change_id].live_slots.append(Sibling(pk, status, decided_by_id, on_behalf_of_id, decider))
    return slots
