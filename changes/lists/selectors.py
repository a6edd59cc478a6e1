"""Reads of the change list's own data: its page of rows, the person's saved filters, and the CSV
export's rows in fixed-size chunks."""
from typing import NamedTuple

from django.db.models import Exists, F, OuterRef, Value

from changemgmt.compiled import CompiledQuery
from changemgmt.models import User
from changes import selectors as change_selectors
from changes.api.selectors import page_values
from changes.lists.models import SavedFilter
from changes.models import ChangeRequest, Service

EXPORT_CHUNK = 500
# What a list row shows (changemgmt.templatetags.cm_rows), in ListRow's order.
ROW_FIELDS = ("id", "title", "state", "change_type", "risk_level", "planned_start",
              "owner_id", "owner__username", "owner__first_name", "owner__last_name")
TYPE_LABELS = {value: str(label) for value, label in ChangeRequest._meta.get_field("change_type").flatchoices}


class Owner:
    """A row's owner: the names `cm_format.person` reads, with the user model's own get_full_name."""

    __slots__ = ("username", "first_name", "last_name")
    get_full_name = User.get_full_name

    def __init__(self, username, first_name, last_name):
        self.username, self.first_name, self.last_name = username, first_name, last_name


class ListRow:
    """One change as the list's row shows it, with the attributes the row tag reads. Built from a
    `values_list` of ROW_FIELDS: a change and two people per row as model objects (select_related)
    were half of the list's Python time (bench/README.md)."""

    __slots__ = ("pk", "title", "state", "change_type", "risk_level", "planned_start", "owner", "service_list")
    reference = ChangeRequest.reference

    def __init__(self, pk, title, state, change_type, risk_level, planned_start, owner_id, *names):
        self.pk, self.title, self.state, self.change_type = pk, title, state, change_type
        self.risk_level, self.planned_start = risk_level, planned_start
        self.owner = Owner(*names) if owner_id is not None else None

    def get_change_type_display(self) -> str:
        return TYPE_LABELS.get(self.change_type, self.change_type)


class SavedLink(NamedTuple):
    """A saved filter as the list page links it (no model object)."""

    pk: int
    name: str
    query: str


class PageChoices(NamedTuple):
    """What the full list page reads beside its rows: the filter form's owner and service options, and
    the person's saved filters, each as (pk, label) pairs or SavedLinks in its own order."""

    owners: list[tuple[int, str]]
    services: list[tuple[int, str]]
    saved: list[SavedLink]


OWNERS, SERVICES, SAVED = 0, 1, 2


def _choices_queryset(user_id: int):
    """Owners (an active account with a role, by username), services (by name) and the user's saved
    filters (by name) as (kind, pk, label, first, second) rows: each part sorts on its label
    (username or name, unique within the part), as three separate queries did."""
    def part(queryset, kind, label, first=None, second=None):
        columns = {"choice_kind": Value(kind), "choice_pk": F("pk"), "choice_label": F(label),
                   "choice_first": F(first) if first else Value(""),
                   "choice_second": F(second) if second else Value("")}
        return queryset.order_by().annotate(**columns).values_list(*columns)

    has_role = Exists(User.groups.through.objects.filter(user_id=OuterRef("pk")))
    owners = part(User.objects.filter(has_role, is_active=True), OWNERS, "username", "first_name", "last_name")
    return owners.union(part(Service.objects.all(), SERVICES, "name"),
                        part(SavedFilter.objects.filter(user_id=user_id), SAVED, "name", "query"),
                        all=True).order_by("choice_kind", "choice_label")


# Compiled once per process: Django spent ~2 ms of CPU building and compiling the three-part UNION
# on every page, PostgreSQL ~0.1 ms running it.
_CHOICES = CompiledQuery(_choices_queryset)


def page_choices(user) -> PageChoices:
    """The filter form's owners and services and `user`'s saved filters in one UNION ALL query
    (`_choices_queryset`, compiled once): three queries were three round trips and three compiled
    querysets on every full page."""
    found = PageChoices([], [], [])
    for kind, pk, label, first, second in _CHOICES.rows(user.pk):
        if kind == OWNERS:
            found.owners.append((pk, Owner(label, first, second).get_full_name() or label))
        elif kind == SERVICES:
            found.services.append((pk, label))
        else:
            found.saved.append(SavedLink(pk, label, first))
    return found


def changes():
    """The changes the list filters and counts: the table alone (no join), newest first (the model's
    order), so the paginator's count reads no other table; `page_rows` reads the page it cut."""
    return ChangeRequest.objects.all()


def page_rows(page) -> list[ListRow]:
    """A page cut from `changes()` (a sliced queryset) as ListRows, owner joined and services as a
    JSON aggregate column (changes.api.selectors.page_values, compiled once when unfiltered): one
    query. A second query of the services by row ids cost a round trip and a queryset."""
    rows = []
    for *values, services in page_values(page, ROW_FIELDS):
        row = ListRow(*values)
        row.service_list = [change_selectors.ServiceLink(*service) for service in services]
        rows.append(row)
    return rows


def saved_filters(user) -> list[SavedFilter]:
    return list(SavedFilter.objects.filter(user=user).only("id", "name", "query", "created_at").order_by("name"))


def export_chunks(queryset):
    """The filtered changes, `EXPORT_CHUNK` at a time with their services (2 queries a chunk): memory
    stays flat however many rows match. The filter's order ends on the id, so slices never overlap."""
    ordered = queryset if queryset.query.order_by else queryset.order_by("-created_at", "-id")
    offset = 0
    while True:
        chunk = change_selectors.with_services(ordered[offset:offset + EXPORT_CHUNK])
        if not chunk:
            return
        yield chunk
        offset += EXPORT_CHUNK
