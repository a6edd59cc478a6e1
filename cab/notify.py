"""CAB mail also lands in each person's in-app inbox (changemgmt.notifications).

CAB mail carries attachments (the invitation's .ics, the minutes' .md) the generic notification
mailer cannot, so cab.tasks sends it and this module writes the inbox rows already claimed as
emailed — the generic mailer then never sends a second, attachment-less copy. Everyone gets the
inbox row; the email goes only to those with an address who have not turned that kind off on
their notification settings page.
"""
from django.db import transaction
from django.utils import timezone

from changemgmt.models import Notification, NotificationPreference
from changemgmt.notifications import Message, notify_many


def email_recipients(users, kind: str) -> list:
    """`users` with an email address and email on for `kind` (one query)."""
    off = set(NotificationPreference.objects.filter(kind=kind, email=False, user__in=[u.pk for u in users])
              .values_list("user_id", flat=True))
    return [u for u in users if u.email and u.pk not in off]


def to_inbox(users, *, kind: str, title: str, body: str = "", url: str = "", due_at=None) -> int:
    """One inbox row per user, marked emailed (cab.tasks did or deliberately did not email it)."""
    with transaction.atomic():
        rows = notify_many([Message(u.pk, kind, title, body, url, due_at) for u in users])
        Notification.objects.filter(pk__in=[row.pk for row in rows]).update(emailed_at=timezone.now())
    return len(rows)
