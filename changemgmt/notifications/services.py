"""Telling people what is asked of them: an inbox row now, an email after commit — the one mail path.

`notify_many` writes Notification rows in one query (inside the caller's transaction, so a rolled
back action notifies nobody) and, after commit, queues the mail task (`changemgmt.notifications.tasks`)
that emails every due row (or none, when such a task is already waiting: see `_queue_mail`); a beat
job (`changemgmt.send_notification_emails`, every minute) sends whatever that task missed (broker
down, worker dead). Every mail of the app goes through here, attachments included (a CAB
invitation's .ics), rendered from `templates/email/<kind>.txt` by `changemgmt.notifications.mail`;
people may turn email off per kind (the inbox row is always written).
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from changemgmt.celery import app
from changemgmt.models import Notification, NotificationKind, NotificationPreference
from changemgmt.notifications.tasks import send_notification_emails
from changemgmt.tasking import enqueue


@dataclass(frozen=True)
class Message:
    """One notification to send to one user."""

    user_id: int
    kind: str
    title: str
    body: str = ""
    url: str = ""
    due_at: datetime | None = None
    attachments: tuple = ()  # (filename, text, mimetype) triples


def notify_many(messages: list[Message]) -> list[Notification]:
    if not messages:
        return []
    rows = Notification.objects.bulk_create([
        Notification(user_id=m.user_id, kind=m.kind, title=m.title[:200], body=m.body, url=m.url, due_at=m.due_at,
                     attachments=[list(a) for a in m.attachments])
        for m in messages
    ])
    first = rows[0].pk
    transaction.on_commit(lambda: _queue_mail(first))
    return rows


PENDING_WINDOW = timedelta(seconds=60)


def _queue_mail(first_id: int | None) -> None:
    """After commit: queue one mail task, unless one is already waiting. A queued task mails every
    due row when it runs, so if an earlier row is still unclaimed (and recent: younger than the beat
    job's period) its task has not started yet and will mail these rows too. Without this, every
    action queued a task and the embedded worker spent its time on tasks that found nothing."""
    if first_id is not None and not app.conf.task_always_eager and Notification.objects.filter(
            emailed_at__isnull=True, claimed_by="", pk__lt=first_id,
            created_at__gte=timezone.now() - PENDING_WINDOW).exists():
        return
    enqueue(send_notification_emails)


def notify(*, user, kind: str, title: str, body: str = "", url: str = "", due_at=None,
           attachments: tuple = ()) -> Notification:
    return notify_many([Message(user.pk, kind, title, body, url, due_at, tuple(attachments))])[0]


def mark_read(*, user, notification_id: int | None = None) -> int:
    """Mark one (or, without an id, every) unread notification of `user` read; returns how many."""
    rows = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_id is not None:
        rows = rows.filter(pk=notification_id)
    return rows.update(read_at=timezone.now())


def set_email_preferences(*, user, enabled_kinds: set[str]) -> None:
    """Email on for `enabled_kinds`, off for every other kind."""
    with transaction.atomic():
        for kind in NotificationKind.values:
            NotificationPreference.objects.update_or_create(user=user, kind=kind,
                                                            defaults={"email": kind in enabled_kinds})
