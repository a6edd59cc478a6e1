"""The mail task: queued after commit by `notify_many` and run every minute by beat as the sweep
that finds whatever a lost task, a dead worker or a broker outage left unmailed."""
from celery import shared_task
from django.db import DatabaseError

from changemgmt.notifications import mail


@shared_task(name="changemgmt.send_notification_emails", autoretry_for=(DatabaseError,), retry_backoff=1,
             retry_kwargs={"max_retries": 5})
def send_notification_emails(notification_ids: list[int] | None = None) -> int:
    """Email notifications not emailed yet (the given ids, or every due row); returns how many mails
    went out. A database error (SQLite busy) retries the task shortly."""
    return mail.send_due(notification_ids)
