"""The emergency-paperwork timer run by Celery beat (schedule created by migration approvals 0006;
the task keeps its name from before it moved, so the stored schedule still finds it). Its mail goes
out after commit; whatever that misses, the beat job `changemgmt.send_notification_emails` sends."""
from celery import shared_task

from changes.emergency.services import paperwork


@shared_task(name="approvals.emergency_sweep")
def emergency_sweep() -> int:
    """Send due emergency-paperwork reminders and escalations (each exactly once)."""
    return paperwork.sweep()
