"""Approval timers run by Celery beat (the schedule is created by migration approvals 0004)."""
from celery import shared_task

from approvals import sla
from changemgmt.notifications import send_notification_emails
from changemgmt.tasking import enqueue


@shared_task(name="approvals.sla_sweep")
def sla_sweep() -> int:
    """Send due SLA reminders and escalations (each exactly once), then email any notification whose
    email was not queued (a broker outage, a worker that died after commit)."""
    sent = sla.sweep()
    enqueue(send_notification_emails, None)
    return sent
