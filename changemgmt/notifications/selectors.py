"""Reads for the inbox: a person's notifications, the unread count in the header, their e-mail switches."""
from django.core.paginator import Page, Paginator
from django.db.models import Count, Max, Q

from changemgmt.models import Notification, NotificationKind, NotificationPreference

INBOX_PAGE = 50


def inbox_page(user, number) -> Page:
    """One page of `user`'s notifications, newest first (index `notification_inbox`)."""
    return Paginator(Notification.objects.filter(user=user), INBOX_PAGE).get_page(number)


def inbox_version(user) -> str:
    """Moves with every new notification and every one read: the inbox's live check (one query)."""
    found = Notification.objects.filter(user=user).aggregate(
        newest=Max("id"), unread=Count("id", filter=Q(read_at__isnull=True)))
    return f"{found['newest'] or 0}-{found['unread']}"


def unread_count(user) -> int:
    if user is None or not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def email_preferences(user) -> dict[str, bool]:
    """Whether `user` gets e-mail for each kind (no row: on)."""
    prefs = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "email"))
    return {kind: prefs.get(kind, True) for kind in NotificationKind.values}
