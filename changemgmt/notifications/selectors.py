"""Reads for the inbox: a person's notifications, the unread count in the header, their e-mail switches."""
from django.core.paginator import Page, Paginator

from changemgmt.models import Notification, NotificationKind, NotificationPreference

INBOX_PAGE = 50


def inbox_page(user, number) -> Page:
    """One page of `user`'s notifications, newest first (index `notification_inbox`)."""
    return Paginator(Notification.objects.filter(user=user), INBOX_PAGE).get_page(number)


def unread_count(user) -> int:
    if user is None or not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def email_preferences(user) -> dict[str, bool]:
    """Whether `user` gets e-mail for each kind (no row: on)."""
    prefs = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "email"))
    return {kind: prefs.get(kind, True) for kind in NotificationKind.values}
