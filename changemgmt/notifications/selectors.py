"""Reads for the inbox: a person's notifications, the unread count in the header, their e-mail switches."""
from typing import NamedTuple

from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import Count, Max, Q

from changemgmt import prepared
from changemgmt.models import Notification, NotificationKind, NotificationPreference

INBOX_PAGE = 50
# The columns an inbox row shows (its address is followed by the open view, never shown).
ROW_FIELDS = ("id", "kind", "title", "body", "due_at", "created_at", "read_at")
KIND_LABELS = dict(NotificationKind.choices)


class InboxState(NamedTuple):
    """The newest notification's id and how many are unread: the counter, and the version the live
    parts (the inbox, the header's counter) poll with — it moves with every new notification and
    every one read."""

    newest: int
    unread: int

    @property
    def version(self) -> str:
        return f"{self.newest}-{self.unread}"


def remember_inbox(user, state: InboxState) -> InboxState:
    """Keep the state read with the request's user (changemgmt.backends), so the page reads it once."""
    user._inbox_state = state
    return state


def inbox_state(user) -> InboxState:
    """`user`'s inbox state: the one read with the request's user, else one query (always fresh)."""
    known = getattr(user, "_inbox_state", None)
    if known is not None:
        return known
    if user is None or not user.is_authenticated:
        return InboxState(0, 0)
    found = Notification.objects.filter(user=user).aggregate(
        newest=Max("id"), unread=Count("id", filter=Q(read_at__isnull=True)))
    return InboxState(found["newest"] or 0, found["unread"])


def inbox_version(user) -> str:
    """The inbox's live check (no query on a request: read with the user)."""
    return inbox_state(user).version


def unread_count(user) -> int:
    return inbox_state(user).unread


class _Counted(Paginator):
    """A paginator told its count (read with the page's rows) instead of counting again."""

    def __init__(self, object_list, per_page, count: int):
        super().__init__(object_list, per_page)
        self.count = count


def _asked(number) -> int | None:
    """The page number asked, read as Paginator.get_page reads it: not a number is the first page;
    below 1 is past the end (None: the last page)."""
    try:
        if isinstance(number, float) and not number.is_integer():
            raise ValueError
        wanted = int(number)
    except (TypeError, ValueError):
        return 1
    return wanted if wanted >= 1 else None


_PAGE_SQL: dict[str, tuple[str, list]] = {}  # vendor -> (SQL, converters): see _page_query


def _page_query(connection) -> tuple[str, list]:
    """A page of a user's notifications (%s: user, user, limit, offset) as ROW_FIELDS and the total,
    in Meta.ordering, with the converters the ORM would apply to each column (none on PostgreSQL;
    SQLite's dates)."""
    meta, quote = Notification._meta, connection.ops.quote_name
    column = {name: quote(meta.get_field(name).column) for name in (*ROW_FIELDS, "user")}
    table = quote(meta.db_table)
    sql = (f"SELECT {', '.join(column[name] for name in ROW_FIELDS)}, "
           f"(SELECT COUNT(*) FROM {table} WHERE {column['user']} = %s) FROM {table} "
           f"WHERE {column['user']} = %s ORDER BY {column['created_at']} DESC, {column['id']} DESC LIMIT %s OFFSET %s")
    converters = []
    for index, name in enumerate(ROW_FIELDS):
        expression = meta.get_field(name).get_col(meta.db_table)
        functions = connection.ops.get_db_converters(expression) + expression.get_db_converters(connection)
        if functions:
            converters.append((index, functions, expression))
    return sql, converters


def _finished(row: dict) -> dict:
    """A row as the inbox shows it: with its kind's label (`kind_label`), as get_kind_display gives it."""
    row["kind_label"] = str(KIND_LABELS.get(row["kind"], row["kind"]))
    return row


def _page_rows(user, offset: int) -> tuple[list[dict], int]:
    """(rows, total): one query, its SQL written once per vendor. Through the ORM the same query cost
    more CPU than the rest of the inbox's work together (bench/README.md)."""
    connection = connections[Notification.objects.db]
    if connection.vendor not in _PAGE_SQL:
        _PAGE_SQL[connection.vendor] = _page_query(connection)
    sql, converters = _PAGE_SQL[connection.vendor]
    with connection.cursor() as cursor:  # prepared once per connection on PostgreSQL (changemgmt.prepared)
        cursor.execute(prepared.statement(connection, sql), [user.pk, user.pk, INBOX_PAGE, offset])
        found = cursor.fetchall()
    rows = []
    for values in found:
        values = list(values)
        for index, functions, expression in converters:
            for function in functions:
                values[index] = function(values[index], expression, connection)
        rows.append(_finished(dict(zip(ROW_FIELDS, values[:-1], strict=True))))  # the last: the total
    return rows, (found[0][-1] if found else 0)


def inbox_page(user, number) -> Page:
    """One page of `user`'s notifications, newest first (index `notification_inbox`), as dicts of
    ROW_FIELDS and `kind_label`, in one query: the total comes with the rows (an uncorrelated subquery, counted once).
    Numbered as Paginator.get_page numbers; only a page past the end (a stale link) counts again to
    find the last one."""
    wanted = _asked(number)
    if wanted is not None:
        rows, total = _page_rows(user, (wanted - 1) * INBOX_PAGE)
        if rows or wanted == 1:
            return Page(rows, wanted, _Counted(rows, INBOX_PAGE, total))
    page = Paginator(Notification.objects.filter(user=user).values(*ROW_FIELDS), INBOX_PAGE).get_page(number)
    page.object_list = [_finished(row) for row in page.object_list]
    return page


def email_preferences(user) -> dict[str, bool]:
    """Whether `user` gets e-mail for each kind (no row: on)."""
    prefs = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "email"))
    return {kind: prefs.get(kind, True) for kind in NotificationKind.values}
