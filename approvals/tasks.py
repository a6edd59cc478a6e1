"""Approval timers run by Celery beat (schedule created by migration approvals 0004). Their mail goes
out after commit; whatever that misses, the beat job `changemgmt.send_notification_emails` sends."""
from celery import shared_task

from approvals.services import sla


@shared_task(name="approvals.sla_sweep")
def sla_sweep() -> int:
    """Send due SLA reminders and escalations (each step exactly once, the latest of each kind)."""
    return sla.sweep()
