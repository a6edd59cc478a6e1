"""Reads for pages and the API, each in a fixed number of queries whatever the row count."""
from typing import NamedTuple

from django.db.models import Prefetch, Q

from approvals.models import ApprovalSlot
from changemgmt.compiled import CompiledQuery
from changemgmt.models import LedgerEntry, User
from changemgmt.templatetags.cm_format import EMPTY
from changes.calendar.models import ChangeConflict
from changes.choices import Outcome, State
from changes.models import ChangeRequest, Service, TestEvidence

# What a row of a change table shows (dashboard, CSV export): loading only these columns halves
# the time to build 50 rows (bench/README.md). A field missing here would cost a query per row, which
# the query-count tests catch.
ROW_FIELDS = ("id", "title", "state", "change_type", "category", "risk_level", "planned_start", "planned_end",
              "created_at", "updated_at", "owner", "requester", "external_source", "external_key")
PERSON_FIELDS = ("id", "username", "first_name", "last_name")


def change_list():
    """Whole changes with owner, requester and services in 2 queries, for code that needs one change in full."""
    return (ChangeRequest.objects.select_related("owner", "requester", "team", "template")
            .prefetch_related("services"))


def change_rows():
    """Rows for the change tables built from model objects (dashboard, CSV export; the web and API lists
    read plain rows: changes.lists.selectors, changes.api.selectors): only the columns a row shows, owner and
    requester joined. Cut the page, then pass it to `with_services`."""
    return (ChangeRequest.objects.select_related("owner", "requester")
            .only(*ROW_FIELDS, *(f"{who}__{name}" for who in ("owner", "requester") for name in PERSON_FIELDS)))


class ServiceLink(NamedTuple):
    """A service as a list row shows it: what the row template and the API row read, no model object."""

    pk: int
    name: str
    criticality: str


def with_services(changes):
    """Set `service_list` (by name, ServiceLink tuples) on each change, in one query.
    prefetch_related("services") does the same but builds a manager and a queryset per row: 2-3x the
    time for a 50-row page; a tuple per link instead of a model instance halves what is left."""
    changes = list(changes)
    found = {change.pk: [] for change in changes}
    if found:
        through = ChangeRequest.services.through
        pairs = (through.objects.filter(changerequest_id__in=list(found)).order_by("service__name", "service_id")
                 .values_list("changerequest_id", "service_id", "service__name", "service__criticality"))
        for change_id, service_id, name, criticality in pairs:
            found[change_id].append(ServiceLink(service_id, name, criticality))
    for change in changes:
        change.service_list = found[change.pk]
    return changes


def change_detail_queryset():
    """One change with everything its page and API detail show."""
    return (ChangeRequest.objects.select_related("owner", "requester", "team", "template", "risk_override_by")
            .prefetch_related(
                "services",
                Prefetch("approval_slots",
                         queryset=ApprovalSlot.objects.select_related("decided_by", "on_behalf_of").order_by("id")),
                Prefetch("test_evidence", queryset=TestEvidence.objects.select_related("recorded_by")
                         .order_by("-recorded_at")),
                "rollbacks",
            ))


def _prefetched(instance, name: str, queryset, rows: list | None = None) -> list:
    """Evaluate `queryset` (a relation of `instance`, from its manager) and keep it where
    prefetch_related would, so `instance.<name>.all()` reads it: the same cache without the
    prefetch machinery, which cost more than the query itself on the change page."""
    queryset._result_cache = list(queryset) if rows is None else rows
    queryset._prefetch_done = True
    instance._prefetched_objects_cache[name] = queryset
    return queryset._result_cache


# The change with its team and template: fifty columns and two joins, built once per process.
_CHANGE = CompiledQuery(lambda pk: ChangeRequest.objects.filter(pk=pk).select_related("team", "template").order_by())

_SERVICES = CompiledQuery(lambda pk: Service.objects.filter(changes=pk))
_SLOTS = CompiledQuery(lambda pk: ApprovalSlot.objects.filter(change_id=pk).order_by("id"))
_EVIDENCE = CompiledQuery(lambda pk: TestEvidence.objects.filter(change_id=pk).order_by("-recorded_at"))


def change_page(pk: int) -> ChangeRequest | None:
    """One change with what its page reads, as `change_detail_queryset` loads it (services, slots,
    evidence and roll-backs behind `.all()`, the people of the change, its slots and its evidence
    behind their foreign keys) in six flat queries, five for a change never rolled back: no user
    joins, no default orderings that join (a slot's orders by its change), the people in one query
    of the columns a page shows. Building the joined queries took as long as the rest of the page
    (bench/README.md)."""
    found = _CHANGE.objects(pk)
    if not found:
        return None
    change = found[0]
    change._prefetched_objects_cache = {}
    _prefetched(change, "services", change.services.get_queryset(), _SERVICES.objects(pk))
    slots = _prefetched(change, "approval_slots", change.approval_slots.get_queryset(), _SLOTS.objects(pk))
    evidence = _prefetched(change, "test_evidence", change.test_evidence.get_queryset(), _EVIDENCE.objects(pk))
    for row in (*slots, *evidence):  # what the related managers' querysets would have set
        row.change = change
    # Roll-back records are written only by the roll_back step, and a change that took it stays
    # rolled back or closes with that outcome (gates.close_gate): any other change has none to read.
    rolled_back = change.state == State.ROLLED_BACK or change.outcome == Outcome.ROLLED_BACK
    _prefetched(change, "rollbacks", change.rollbacks.get_queryset(), None if rolled_back else [])
    wanted = {change.owner_id, change.requester_id, change.risk_override_by_id,
              *(slot.decided_by_id for slot in slots), *(slot.on_behalf_of_id for slot in slots),
              *(row.recorded_by_id for row in evidence)} - {None}
    # team: separation of duties compares the deciders' teams (approvals.rules.decision_refusals).
    people = {user.pk: user for user in User.objects.filter(pk__in=wanted).only(*PERSON_FIELDS, "team").order_by()}
    change.owner, change.requester = people.get(change.owner_id), people[change.requester_id]
    change.risk_override_by = people.get(change.risk_override_by_id)
    for slot in slots:
        slot.decided_by, slot.on_behalf_of = people.get(slot.decided_by_id), people.get(slot.on_behalf_of_id)
    for row in evidence:
        row.recorded_by = people[row.recorded_by_id]
    return change


class ConflictLine(NamedTuple):
    """One stored conflict seen from one change: the other change and what they share, no model objects."""

    other_pk: int
    other_title: str
    other_owner: str  # as cm_format.person shows a user
    overlap_start: object
    overlap_end: object
    shared: dict


def _person(username, first, last) -> str:
    """cm_format.person from the columns: the full name, else the username (EMPTY for nobody)."""
    return EMPTY if username is None else f"{first} {last}".strip() or username


def _conflicts_of(change_id: int):
    sides = [(f"{side}_id", f"{side}__title", *(f"{side}__owner__{name}" for name in ("username", "first_name",
                                                                                      "last_name")))
             for side in ("change", "other")]
    return (ChangeConflict.objects.filter(Q(change_id=change_id) | Q(other_id=change_id))
            .order_by("overlap_start", "id")
            .values_list("overlap_start", "overlap_end", "shared", *sides[0], *sides[1]))


# Its SQL (two sides, each with its owner) cost more to build than to run: built once per process.
_CONFLICTS = CompiledQuery(_conflicts_of)


def conflict_lines(change_id: int) -> list[ConflictLine]:
    """The stored conflicts of a change (changes.calendar.conflicts.conflicts_of, in its order) with
    only the columns the change page shows of the other side: one query, whatever the count."""
    lines = []
    for start, end, shared, *columns in _CONFLICTS.rows(change_id):
        pk, title, *owner = columns[5:] if columns[0] == change_id else columns[:5]
        lines.append(ConflictLine(pk, title, _person(*owner), start, end, shared))
    return lines


_LEDGER = CompiledQuery(lambda subject: LedgerEntry.objects.filter(subject=subject).order_by("seq"),
                        marker="compiled:marker")


def ledger_for(change) -> list[LedgerEntry]:
    return _LEDGER.objects(f"{change._meta.label_lower}:{change.pk}")


def awaiting_action(user):
    """Changes where `user` is asked to act: their own open changes plus pending slots they may fill."""
    from approvals.choices import SLOT_HOLDERS, SlotStatus
    from changemgmt.roles import roles_of

    roles = roles_of(user)
    slot_roles = [slot_role for slot_role, holders in SLOT_HOLDERS.items() if roles & set(holders)]
    return (change_rows().filter(approval_slots__status=SlotStatus.PENDING, approval_slots__role__in=slot_roles)
            .exclude(Q(requester=user) | Q(owner=user)).distinct())
