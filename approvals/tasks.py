"""Approval timers run by Celery beat (schedules created by migrations approvals 0004 and 0006)."""
from celery import shared_task

from approvals import emergency_paperwork, sla
from changemgmt.notifications import send_notification_emails
from changemgmt.tasking import enqueue


@shared_task(name="approvals.sla_sweep")
def sla_sweep() -> int:
    """Send due SLA reminders and escalations (each exactly once), then email any notification whose
    email was not queued (a broker outage, a worker that died after commit)."""
    sent = sla.sweep()
    enqueue(send_notification_emails, None)
    return sent


@shared_task(name="approvals.emergency_sweep")
def emergency_sweep() -> int:
    """Send due emergency-paperwork reminders and escalations (each exactly once)."""
    sent = emergency_paperwork.sweep()
    enqueue(send_notification_emails, None)
    return sent
