"""Reads of the change list's own data: its page of rows, the person's saved filters, and the CSV
export's rows in fixed-size chunks."""
from changemgmt.models import User
from changes import selectors as change_selectors
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


def owner_choices() -> list[tuple[int, str]]:
    """(pk, name) of everyone who may own a change (an active account with a role), by username."""
    people = (User.objects.filter(is_active=True, groups__isnull=False).distinct().order_by("username")
              .values_list("pk", "username", "first_name", "last_name"))
    return [(pk, Owner(*names).get_full_name() or names[0]) for pk, *names in people]


def service_choices():
    """(pk, name) pairs in one query: the filter field's own choices cost a COUNT and a cursor."""
    return Service.objects.order_by("name").values_list("pk", "name")


def list_rows(queryset):
    """The list's rows for a filtered change queryset: pass it to a paginator, then its page's
    object_list to `page_rows`."""
    return queryset.values_list(*ROW_FIELDS)


def page_rows(values) -> list[ListRow]:
    """A page of `list_rows` as ListRows with their services (one query: changes.selectors.with_services)."""
    return change_selectors.with_services([ListRow(*row) for row in values])


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
