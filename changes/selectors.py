"""Reads for pages and the API, each in a fixed number of queries whatever the row count."""
from typing import NamedTuple

from django.db.models import Prefetch, Q

from approvals.models import ApprovalSlot, SlaStep
from changemgmt.compiled import CompiledQuery
from changemgmt.models import LedgerEntry, User
from changemgmt.templatetags.cm_format import EMPTY
from changes import page_loader
from changes.models import ChangeRequest, RollbackRecord, Service, TestEvidence

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


class ChangePage(NamedTuple):
    """What the change page reads: the change (its relations behind `.all()` and its people behind their
    foreign keys, as change_detail_queryset loads them) and the rows it shows beside them."""

    change: ChangeRequest
    sla_steps: list  # SlaStep of the change's slots, by slot, as approvals.presenters.slot_clocks reads them
    conflicts: list  # ConflictLine
    ledger: list  # LedgerEntry, in order
    history: list  # the change's history rows, oldest first (changemgmt.web.timeline.history_columns)


def _instances(model, rows, alias: str, columns=None) -> list:
    columns = columns or page_loader.attnames(model)
    return [model.from_db(alias, columns, row) for row in rows]


def change_page(pk: int, alias: str = "default") -> ChangePage | None:
    """The change page's rows, read in one query (changes.page_loader) and built into the objects the
    ORM would build: no user joins, the people in one set of the columns a page shows."""
    found = page_loader.load(pk, alias)
    if found is None:
        return None
    change, rows = found
    change._prefetched_objects_cache = {}
    _prefetched(change, "services", change.services.get_queryset(), _instances(Service, rows["services"], alias))
    slots = _prefetched(change, "approval_slots", change.approval_slots.get_queryset(),
                        _instances(ApprovalSlot, rows["slots"], alias))
    evidence = _prefetched(change, "test_evidence", change.test_evidence.get_queryset(),
                           _instances(TestEvidence, rows["evidence"], alias))
    rollbacks = _prefetched(change, "rollbacks", change.rollbacks.get_queryset(),
                            _instances(RollbackRecord, rows["rollbacks"], alias))
    for row in (*slots, *evidence, *rollbacks):  # what the related managers' querysets would have set
        row.change = change
    people = {user.pk: user for user in _instances(User, rows["people"], alias,
                                                  page_loader.attnames(User, page_loader.PEOPLE))}
    change.owner, change.requester = people.get(change.owner_id), people[change.requester_id]
    change.risk_override_by = people.get(change.risk_override_by_id)
    for slot in slots:
        slot.decided_by, slot.on_behalf_of = people.get(slot.decided_by_id), people.get(slot.on_behalf_of_id)
    for row in evidence:
        row.recorded_by = people[row.recorded_by_id]
    return ChangePage(change, _instances(SlaStep, rows["sla_steps"], alias), _conflict_lines(pk, rows["conflicts"]),
                      _instances(LedgerEntry, rows["ledger"], alias), [row[:-1] for row in rows["history"]])


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


def _conflict_lines(change_id: int, rows) -> list[ConflictLine]:
    """The stored conflicts of a change (changes.calendar.conflicts.conflicts_of) seen from it, with only
    the columns the change page shows of the other side, from the page query's rows of (overlap_start,
    overlap_end, shared, each side's id, title and owner's names, …)."""
    lines = []
    for start, end, shared, *columns in rows:
        pk, title, *owner = columns[5:10] if columns[0] == change_id else columns[:5]
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
