"""Reads for the inbox: a person's notifications, the unread count in the header, their e-mail switches."""
from typing import NamedTuple

from django.core.paginator import Page, Paginator
from django.db.models import Count, Max, Q, Subquery

from changemgmt.models import Notification, NotificationKind, NotificationPreference

INBOX_PAGE = 50
# The columns an inbox row shows (its address is followed by the open view, never shown).
ROW_FIELDS = ("id", "kind", "title", "body", "due_at", "created_at", "read_at")


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


def inbox_page(user, number) -> Page:
    """One page of `user`'s notifications, newest first (index `notification_inbox`), as dicts of
    ROW_FIELDS, in one query: the total comes with the rows (an uncorrelated subquery, counted once).
    Numbered as Paginator.get_page numbers; only a page past the end (a stale link) counts again to
    find the last one."""
    mine = Notification.objects.filter(user=user)
    wanted = _asked(number)
    if wanted is not None:
        total = Subquery(mine.order_by().values("user").annotate(n=Count("id")).values("n"))
        offset = (wanted - 1) * INBOX_PAGE
        rows = list(mine.annotate(total=total).values(*ROW_FIELDS, "total")[offset:offset + INBOX_PAGE])
        if rows or wanted == 1:
            return Page(rows, wanted, _Counted(rows, INBOX_PAGE, rows[0]["total"] if rows else 0))
    return Paginator(mine.values(*ROW_FIELDS), INBOX_PAGE).get_page(number)


def email_preferences(user) -> dict[str, bool]:
    """Whether `user` gets e-mail for each kind (no row: on)."""
    prefs = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "email"))
    return {kind: prefs.get(kind, True) for kind in NotificationKind.values}
