"""Reads for "My approvals": the slots a person may act on, in a fixed number of queries.

The slots come as plain rows (QueueSlot), two `values_list` queries instead of model instances. The
queue shows up to 500 slots; as model instances (each slot with its change, decider and delegator
joined, each change with its live slots prefetched) one page built ~3,800 objects that pointed at each
other (the prefetch caches each sibling's change on it), so they outlived the request until a full
garbage collection: the page's p95 was 2.4× its median (bench/README.md). The rows carry only the
columns the queue shows and separation of duties reads, refer to nothing that refers back, and answer
the attribute names approvals.rules, approvals.badges and approvals.delegation ask a slot for, so those
stay the one place their rules live.
"""
import hashlib
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import cache, partial
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.db.models import F, Q
from django.utils import timezone

from approvals import badges, delegation
from approvals.choices import SLOT_HOLDERS, DecisionChannel, SlotRole, SlotStatus
from approvals.models import ApprovalSlot
from approvals.rules import DecisionCheck
from changemgmt.compiled import CompiledQuery, InArray, Sent, array_of
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


class Sibling(NamedTuple):
    """A live slot of the same change, as separation of duties reads it: a row of the siblings query as
    it comes (a page reads ~2,300), plain values only, so the garbage collector stops tracking it."""

    pk: int
    change_id: int
    status: str
    decided_by_id: int | None
    on_behalf_of_id: int | None
    team_id: int | None  # the decider's

    @property
    def decided_by(self):
        """The decider as far as separation of duties reads them (dual control: their team), or None."""
        return self if self.decided_by_id is not None else None


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
        return _change_reference()(self)


@cache
def _change_reference():
    """The change model's `reference` getter, looked up once (once per row was a fifth of a row's cost)."""
    return ApprovalSlot._meta.get_field("change").related_model.reference.fget


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
_SLOT_COLUMNS = ("id", "change_id", "role", "ordinal", "rule", "policy", "status", "decided_at", "reason",
                 "created_at", "due_at", "channel", "decided_by_id", "on_behalf_of_id",
                 "change__title", "change__requester_id", "change__owner_id", "change__team_id")
# With the names of who decided and on whose behalf: two joins, which the pending queue does without (a
# pending slot has neither), ~1 ms of its query's planning and run at a million changes (bench/README.md).
_COLUMNS = (*_SLOT_COLUMNS, *(f"decided_by__{name}" for name in _PERSON[1:]),
            *(f"on_behalf_of__{name}" for name in _PERSON[1:]))


# The live slots of the changes on a page (~500 ids, one array parameter), compiled once per process.
_SIBLINGS = CompiledQuery(lambda change_ids: (
    ApprovalSlot.objects.filter(InArray(F("change_id"), change_ids)).exclude(status=SlotStatus.SUPERSEDED)
    .order_by()  # in no order: separation of duties reads them as a set (and the model's ordering joins the changes)
    .values_list("id", "change_id", "status", "decided_by_id", "on_behalf_of_id", "decided_by__team_id")))


# A Sibling of a row of _SIBLINGS' six columns, made in C (its `_make` is a Python call: 0.3 µs a row).
_sibling = partial(tuple.__new__, Sibling)


def queue_slots(queryset, meanwhile=None) -> list[QueueSlot]:
    """`queryset`'s slots (ApprovalSlot rows, sliced and ordered as the caller wants) as QueueSlots, each
    change once with its live slots, each person once: two queries whatever the number of rows;
    `meanwhile` as `slots_of` takes it."""
    return slots_of(queryset.values_list(*_COLUMNS), meanwhile)


def slots_of(rows, meanwhile=None) -> list[QueueSlot]:
    """QueueSlots of `rows` (tuples of _COLUMNS, or of _SLOT_COLUMNS) and their changes' live slots (one
    query). The live slots' query runs in the database while the slots are built and `meanwhile(slots)`
    works on them (CompiledQuery.sent): it may read anything but `change.live_slots`, and run no query."""
    rows = list(rows)
    if not rows:
        return _built(rows, meanwhile)
    with _SIBLINGS.sent(array_of(dict.fromkeys(row[1] for row in rows)), make=_sibling) as siblings:
        slots = _built(rows, meanwhile)
        changes = {slot.change_id: slot.change for slot in slots}
        for sibling in siblings.rows():
            changes[sibling.change_id].live_slots.append(sibling)
    return slots


def _built(rows, meanwhile) -> list[QueueSlot]:
    """The QueueSlots of `rows`, each change and each person once, their live slots still to come."""
    changes, slots, named = {}, [], []
    for row in rows:
        change_id = row[1]
        change = changes.get(change_id)
        if change is None:
            change = changes[change_id] = QueueChange(change_id, *row[14:18], [])
        slot = QueueSlot(*row[:14], None, None, change)
        slots.append(slot)
        if slot.decided_by_id is not None or slot.on_behalf_of_id is not None:
            named.append((slot, row[18:]))
    if named:
        _name_people(named)
    if meanwhile is not None:
        meanwhile(slots)
    return slots


def _name_people(named) -> None:
    """Each (slot, the names its row carries) slot's decider and on-whose-behalf, one Person per person:
    from the row's names (_COLUMNS), or, for rows without them (_SLOT_COLUMNS), from one query by id."""
    people = {}
    unnamed = {pk for slot, names in named if not names for pk in (slot.decided_by_id, slot.on_behalf_of_id)}
    unnamed.discard(None)
    if unnamed:
        for pk, *fields in get_user_model().objects.filter(pk__in=unnamed).values_list(*_PERSON):
            people[pk] = Person(pk, *fields)
    for slot, names in named:
        for attribute, pk, fields in (("decided_by", slot.decided_by_id, names[:4]),
                                      ("on_behalf_of", slot.on_behalf_of_id, names[4:])):
            if pk is not None:
                if pk not in people and fields:
                    people[pk] = Person(pk, *fields)
                setattr(slot, attribute, people.get(pk))


def my_queue(user, delegators, *, status: str | None = SlotStatus.PENDING, role: str | None = None,
             sort: str = "due"):
    """The query of the slots waiting for `user`'s roles or their `delegators`' (pending), or those they
    decided (granted/rejected), in `sort` order (a key of QUEUE_SORTS); changes they authored or own
    are left out of the pending queue."""
    return _queue(user, _decided(status) or slot_roles_of(user, delegators), role, sort)


def _decided(status: str | None) -> str | None:
    return status if status in (SlotStatus.GRANTED, SlotStatus.REJECTED) else None


def _queue(user, decided_or_roles, role: str | None, sort: str):
    """my_queue, given the decided status it lists or else the slot roles whose pending slots it lists."""
    if isinstance(decided_or_roles, str):
        rows = ApprovalSlot.objects.filter(Q(decided_by=user) | Q(on_behalf_of=user), status=decided_or_roles)
    else:
        rows = (ApprovalSlot.objects.filter(status=SlotStatus.PENDING, role__in=decided_or_roles)
                .exclude(change__requester=user).exclude(change__owner=user))
    if role:
        rows = rows.filter(role=role)
    return rows.order_by(*QUEUE_SORTS[sort])


# my_slots' first query, compiled once per process for each status, role filter, order and set of slot
# roles (validated values: a bounded set; only the person changes from one request to the next): building
# and compiling it, thirty columns over three joins, was ~2 ms of every My approvals page (bench/README.md).
_QUEUES: dict[tuple, CompiledQuery] = {}


def _first(user, delegators, *, status: str | None, role: str | None, sort: str):
    """(the CompiledQuery of `my_queue`'s rows, run with the user's pk and FIRST, or None; the rows
    themselves when it is None): tuples of _COLUMNS for decided slots, of _SLOT_COLUMNS for pending ones."""
    key = (_decided(status) or frozenset(slot_roles_of(user, delegators)), role, sort)
    columns = _COLUMNS if isinstance(key[0], str) else _SLOT_COLUMNS
    if not key[0]:  # no slot role: the ORM answers without a query
        return None, list(_queue(user, key[0], role, sort)[:QUEUE_LIMIT].values_list(*columns))
    compiled = _QUEUES.get(key)
    if compiled is None:
        compiled = _QUEUES[key] = CompiledQuery(lambda pk: _queue(pk, key[0], role, sort).values_list(*columns))
    return compiled, None


FIRST = (0, QUEUE_LIMIT)


def _first_rows(user, delegators, *, status: str | None, role: str | None, sort: str) -> list[tuple]:
    """The first QUEUE_LIMIT rows of `my_queue` (`_first`)."""
    compiled, rows = _first(user, delegators, status=status, role=role, sort=sort)
    return rows if compiled is None else compiled.rows(user.pk, limits=FIRST)


@contextmanager
def first_rows_sent(user, delegators, *, status: str | None = SlotStatus.PENDING, role: str | None = None,
                    sort: str = "due"):
    """`_first_rows`' query sent ahead (CompiledQuery.sent): the block goes on while the database reads the
    rows, `.rows()` returns them (give them to `slots_of` after the block)."""
    compiled, rows = _first(user, delegators, status=status, role=role, sort=sort)
    if compiled is None:
        yield Sent(rows)
        return
    with compiled.sent(user.pk, limits=FIRST) as sent:
        yield sent


def my_slots(user, *, status: str | None = SlotStatus.PENDING, role: str | None = None, sort: str = "due",
             delegators=None) -> tuple[list[QueueSlot], list]:
    """The first QUEUE_LIMIT of `my_queue` as QueueSlots, and the delegators (fetched unless given)."""
    if delegators is None:
        delegators = delegation.active_delegators(user)
    return slots_of(_first_rows(user, delegators, status=status, role=role, sort=sort)), delegators


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


class Deciding:
    """Who acts and may decide, for the many slots of one request: on whose behalf `user` would decide a
    slot of each role, and why they may not decide it (approvals.rules), each role's delegator and each
    person's checks worked out once instead of for each of up to 500 rows."""

    def __init__(self, user, delegators):
        self.user, self.delegators = user, delegators
        self._by_role: dict[str, tuple] = {}

    def of(self, slot) -> tuple:
        """(delegation.acting_for(user, slot, delegators), the rules.DecisionCheck of the user acting so):
        both depend only on the slot's role, and each person's check is made once."""
        known = self._by_role.get(slot.role)
        if known is None:
            acting_for = delegation.acting_for(self.user, slot, self.delegators)
            check = next((check for acting, check in self._by_role.values() if acting is acting_for), None)
            known = self._by_role[slot.role] = (acting_for, check or DecisionCheck(self.user, acting_for))
        return known


def queue_rows(user, *, status: str, role: str | None, sort: str = "due") -> list[QueueRow]:
    """`my_slots` as finished rows (no query per row)."""
    rows, delegators = my_slots(user, status=status, role=role, sort=sort)
    clock, deciding = badges.RequestClock(timezone.now()), Deciding(user, delegators)
    return [_queue_row(slot, deciding, clock) for slot in rows]


def _queue_row(slot, deciding: Deciding, clock) -> QueueRow:
    text, colour = badges.sla_badge(slot, clock)
    on_behalf, check = deciding.of(slot)
    refusals = check.refusals(slot, slot.change.live_slots) if slot.status == SlotStatus.PENDING else []
    return QueueRow(
        id=slot.pk, change=slot.change_id, change_reference=slot.change.reference, change_title=slot.change.title,
        role=slot.role, ordinal=slot.ordinal, rule=slot.rule, policy=slot.policy, status=slot.status,
        due_at=slot.due_at, sla=text, sla_colour=colour,
        decided_by=slot.decided_by.username if slot.decided_by_id else None,
        on_behalf_of=slot.on_behalf_of.username if slot.on_behalf_of_id else None, channel=slot.channel,
        may_decide=not refusals, refusals=refusals, acting_for=on_behalf.username if on_behalf else None)
