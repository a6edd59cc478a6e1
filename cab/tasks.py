"""CAB Celery tasks: the beat jobs (create meetings, generate due agendas, remind action owners,
send what a lost task left undone, purge expired minutes) and the invitation and minutes mail queued
after commit. Each takes ids, is idempotent and only calls a service; the notices are written by
cab.services.notices and mailed by changemgmt.notifications, the one mail path.

The services queue these tasks by name (changemgmt.tasking.enqueue("cab.send_invitations", …)),
so this module imports the services and never the other way round."""
from celery import shared_task

from cab.services import notices, retention
from cab.services.agenda import generate_due_agendas as generate_agendas
from cab.services.meetings import schedule_freeze_reviews, schedule_regular_meetings


@shared_task(name="cab.schedule_meetings")
def schedule_meetings() -> int:
    return len(schedule_regular_meetings()) + len(schedule_freeze_reviews())


@shared_task(name="cab.generate_due_agendas")
def generate_due_agendas() -> int:
    return generate_agendas()


@shared_task(name="cab.send_invitations")
def send_invitations(meeting_id: int) -> int:
    return notices.invite_board(meeting_id=meeting_id)


@shared_task(name="cab.send_minutes")
def send_minutes(meeting_id: int) -> int:
    return notices.distribute_minutes(meeting_id=meeting_id)


@shared_task(name="cab.send_due_mail")
def send_due_mail() -> int:
    """Every minute: invitations and minutes whose queued task never ran."""
    return notices.send_due()


@shared_task(name="cab.remind_action_items")
def remind_action_items() -> int:
    return notices.remind_action_owners()


@shared_task(name="cab.purge_expired_minutes")
def purge_expired_minutes() -> int:
    """Daily: purge published minutes past their retention date (POLICY §9); catches up after downtime."""
    return retention.purge_expired_minutes()
