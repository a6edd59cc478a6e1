"""Sending the notifications' e-mail: claim due rows, render each from templates/email/<kind>.txt,
send it, mark it mailed. Run by the mail task (changemgmt.notifications.tasks), never in a request.

Delivery is at least once, made idempotent for the reader:
- a worker claims a batch (`claimed_by`, `claimed_until`) with a conditional update, so two runs
  never mail the same row while the claim holds;
- each row is marked mailed right after its own send, so a worker that dies loses at most the
  one mail in flight; a claim past `claimed_until` is free again and the sweep retries the rest;
- each mail carries a Message-ID made from the notification id: the rare re-send after a crash
  between "sent" and "marked" is the same message to mail clients, which show it once.
"""
import logging
import uuid
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import DatabaseError
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from changemgmt import clock
from changemgmt.models import Notification, NotificationPreference

log = logging.getLogger(__name__)


# Per kind, functions a higher app registers (in its AppConfig.ready) that add to the mail's template context
# what only it knows: approvals adds the signed grant/reject links of an approval request. The kernel imports
# no app: the app hands its function in.
CONTEXT_PROVIDERS: dict[str, list[Callable[[Notification], dict]]] = {}


def register_context(kind: str, provider: Callable[[Notification], dict]) -> None:
    providers = CONTEXT_PROVIDERS.setdefault(kind, [])
    if provider not in providers:
        providers.append(provider)


def render_email(notification: Notification) -> tuple[str, str]:
    context = {
        "notification": notification,
        "user": notification.user,
        "link": f"{settings.SITE_URL}{notification.url}" if notification.url else settings.SITE_URL,
        "due_text": clock.describe_due(notification.due_at) if notification.due_at else "",
        "due_local": clock.local(notification.due_at) if notification.due_at else None,
    }
    for provider in CONTEXT_PROVIDERS.get(notification.kind, ()):
        context.update(provider(notification))
    body = render_to_string(f"email/{notification.kind}.txt", context)
    return f"[changemgmt] {notification.title}", body


BATCH = 200
CLAIM_SECONDS = 300  # a claim outlives any sane SMTP batch; after it, a dead worker's rows are retried


def message_id(notification: Notification) -> str:
    """The same Message-ID every time a notification is mailed: a re-send is one message to readers."""
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ") or "changemgmt"
    return f"<notification-{notification.pk}@{domain}>"


def build_email(notification: Notification) -> EmailMessage:
    subject, body = render_email(notification)
    message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [notification.user.email],
                           headers={"Message-ID": message_id(notification)})
    for filename, content, mimetype in notification.attachments:
        message.attach(filename, content, mimetype)
    return message


def deliver(connection, message: EmailMessage) -> None:
    connection.send_messages([message])


def _claim(notification_ids: list[int] | None) -> tuple[str, list[Notification]]:
    """Claim up to BATCH unmailed rows whose claim is free (never taken, or expired)."""
    now = timezone.now()
    free = Notification.objects.filter(emailed_at__isnull=True).filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
    if notification_ids is not None:
        free = free.filter(pk__in=notification_ids)
    pks = list(free.order_by("id").values_list("pk", flat=True)[:BATCH])
    if not pks:
        return "", []
    token = uuid.uuid4().hex
    free.filter(pk__in=pks).update(claimed_by=token, claimed_until=now + timedelta(seconds=CLAIM_SECONDS))
    return token, list(Notification.objects.filter(claimed_by=token, emailed_at__isnull=True)
                       .select_related("user").order_by("id"))


def _mark(token: str, pks: list[int], *, mailed: bool) -> None:
    """Mailed (or deliberately not mailed): done for good. Not mailed after a failure: claim released."""
    rows = Notification.objects.filter(pk__in=pks, claimed_by=token)
    if mailed:
        rows.update(emailed_at=timezone.now(), claimed_until=None)
    else:
        rows.update(claimed_by="", claimed_until=None)


def send_due(notification_ids: list[int] | None = None) -> int:
    """Email notifications not emailed yet (the given ids, or every due row); returns how many mails
    went out. A failed send releases its row for the next run; a database error (SQLite busy)
    releases the batch and propagates, for the task to retry shortly."""
    sent = 0
    while True:
        token, batch = _claim(notification_ids)
        if not batch:
            return sent
        try:
            mailed, failed = _mail_batch(token, batch)
        finally:
            _release_unmailed(token)
        sent += mailed
        if failed or len(batch) < BATCH:
            return sent


def _release_unmailed(token: str) -> None:
    """Give back what this run claimed but did not mail (an error mid-batch); a kill is handled by
    the claim's expiry instead."""
    try:
        Notification.objects.filter(claimed_by=token, emailed_at__isnull=True).update(claimed_by="",
                                                                                    claimed_until=None)
    except DatabaseError:
        log.warning("Could not release claim %s; it expires by itself", token, exc_info=True)


def _mail_batch(token: str, batch: list[Notification]) -> tuple[int, bool]:
    """Mail one claimed batch; returns (mails sent, whether a send failed)."""
    sent = 0
    off = set(NotificationPreference.objects.filter(
        email=False, user_id__in={n.user_id for n in batch}, kind__in={n.kind for n in batch})
        .values_list("user_id", "kind"))
    skipped = {n.pk for n in batch if (n.user_id, n.kind) in off or not n.user.email}
    _mark(token, list(skipped), mailed=True)  # handled: this person gets no email for this kind
    pending = [n for n in batch if n.pk not in skipped]
    connection = get_connection()
    try:
        connection.open()  # one SMTP session for the batch
    except Exception:
        log.exception("The mail server is unreachable; the next run retries %s emails", len(pending))
        return sent, True
    failed = False
    try:
        for notification in pending:
            try:
                deliver(connection, build_email(notification))
            except Exception:
                log.exception("Emailing notification %s failed; the next run retries it", notification.pk)
                _mark(token, [notification.pk], mailed=False)
                failed = True
                continue
            _mark(token, [notification.pk], mailed=True)
            sent += 1
    finally:
        connection.close()
    return sent, failed
