"""Telling people what is asked of them: an inbox row now, an email after commit.

`notify_many` writes Notification rows in one query (inside the caller's transaction, so a rolled
back action notifies nobody) and queues one Celery task that emails them after commit. The email
task claims each row with a conditional update before sending, so a task that runs twice sends
each email once; people may turn email off per kind (the inbox row is always written).
"""
import logging
from dataclasses import dataclass
from datetime import datetime

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from changemgmt import clock
from changemgmt.models import Notification, NotificationKind, NotificationPreference
from changemgmt.tasking import enqueue

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    """One notification to send to one user."""

    user_id: int
    kind: str
    title: str
    body: str = ""
    url: str = ""
    due_at: datetime | None = None


def notify_many(messages: list[Message]) -> list[Notification]:
    if not messages:
        return []
    rows = Notification.objects.bulk_create([
        Notification(user_id=m.user_id, kind=m.kind, title=m.title[:200], body=m.body, url=m.url, due_at=m.due_at)
        for m in messages
    ])
    if rows[0].pk is not None:
        enqueue(send_notification_emails, [row.pk for row in rows])
    else:  # backends that do not return ids: the email sweep picks the new rows up
        enqueue(send_notification_emails, None)
    return rows


def notify(*, user, kind: str, title: str, body: str = "", url: str = "", due_at=None) -> Notification:
    return notify_many([Message(user.pk, kind, title, body, url, due_at)])[0]


def unread_count(user) -> int:
    if user is None or not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def mark_read(*, user, notification_id: int | None = None) -> int:
    """Mark one (or, without an id, every) unread notification of `user` read; returns how many."""
    rows = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_id is not None:
        rows = rows.filter(pk=notification_id)
    return rows.update(read_at=timezone.now())


def email_enabled(user_id: int, kind: str) -> bool:
    pref = NotificationPreference.objects.filter(user_id=user_id, kind=kind).values_list("email", flat=True).first()
    return True if pref is None else pref


def set_email_preferences(*, user, enabled_kinds: set[str]) -> None:
    """Email on for `enabled_kinds`, off for every other kind."""
    with transaction.atomic():
        for kind in NotificationKind.values:
            NotificationPreference.objects.update_or_create(user=user, kind=kind,
                                                            defaults={"email": kind in enabled_kinds})


def email_preferences(user) -> dict[str, bool]:
    prefs = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "email"))
    return {kind: prefs.get(kind, True) for kind in NotificationKind.values}


def render_email(notification: Notification) -> tuple[str, str]:
    context = {
        "notification": notification,
        "user": notification.user,
        "link": f"{settings.SITE_URL}{notification.url}" if notification.url else settings.SITE_URL,
        "due_text": clock.describe_due(notification.due_at) if notification.due_at else "",
        "due_local": clock.local(notification.due_at) if notification.due_at else None,
    }
    body = render_to_string(f"email/{notification.kind}.txt", context)
    return f"[changemgmt] {notification.title}", body


MAX_EMAILS_PER_RUN = 500


@shared_task(name="changemgmt.send_notification_emails")
def send_notification_emails(notification_ids: list[int] | None = None) -> int:
    """Email notifications not emailed yet. Each row is claimed (emailed_at set where it was empty)
    before sending, so two runs never email the same row; a failed send releases the claim."""
    pending = Notification.objects.filter(emailed_at__isnull=True).select_related("user")
    if notification_ids is not None:
        pending = pending.filter(pk__in=notification_ids)
    prefs = {}
    sent = 0
    for notification in pending.order_by("id")[:MAX_EMAILS_PER_RUN]:
        key = (notification.user_id, notification.kind)
        if key not in prefs:
            prefs[key] = email_enabled(*key)
        now = timezone.now()
        if not Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(emailed_at=now):
            continue  # another run claimed it
        if not prefs[key] or not notification.user.email:
            continue  # claimed as "handled": this person does not get email for this kind
        subject, body = render_email(notification)
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [notification.user.email])
        except Exception:
            log.exception("Emailing notification %s failed; will retry", notification.pk)
            Notification.objects.filter(pk=notification.pk).update(emailed_at=None)
            continue
        sent += 1
    return sent
