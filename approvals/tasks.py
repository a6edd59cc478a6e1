"""Approval timers run by Celery beat (schedules created by migrations approvals 0004 and 0006).
Their mail goes out after commit; whatever that misses, the beat job
`changemgmt.send_notification_emails` sends."""
from celery import shared_task

from approvals import emergency_paperwork, sla


@shared_task(name="approvals.sla_sweep")
def sla_sweep() -> int:
    """Send due SLA reminders and escalations (each step exactly once, the latest of each kind)."""
    return sla.sweep()


@shared_task(name="approvals.emergency_sweep")
def emergency_sweep() -> int:
    """Send due emergency-paperwork reminders and escalations (each exactly once)."""
    return emergency_paperwork.sweep()
