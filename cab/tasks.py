"""CAB Celery tasks: the beat jobs (create meetings, generate due agendas, remind action owners)
and mail (invitations with an .ics file, published minutes). Each takes ids and is idempotent: the
work is claimed by stamping a timestamp with a conditional update, in the same transaction as the
notifications it writes; the mail itself goes out through changemgmt.notifications, the one mail
path, and `send_due_mail` finds again whatever a lost task left undone."""
import logging
from datetime import timedelta

from celery import shared_task
from django.db import transaction
from django.utils import timezone

log = logging.getLogger(__name__)


def _board_users():
    """Every active person holding an active seat, once (with or without an email address)."""
    from cab.models import BoardMember

    seen, users = set(), []
    for member in BoardMember.objects.filter(active=True).select_related("user").order_by("user__username"):
        if member.user_id not in seen and member.user.is_active:
            seen.add(member.user_id)
            users.append(member.user)
    return users


@shared_task(name="cab.schedule_meetings")
def schedule_meetings() -> int:
    from cab.services.meetings import schedule_freeze_reviews, schedule_regular_meetings

    return len(schedule_regular_meetings()) + len(schedule_freeze_reviews())


@shared_task(name="cab.generate_due_agendas")
def generate_due_agendas() -> int:
    """Generate the agenda of every scheduled meeting that is within `agenda_lead_hours`; a sweep
    missed while the worker was down catches up on the next run."""
    from cab.agenda import generate_agenda
    from cab.models import Meeting
    from changemgmt import policy

    lead = timedelta(hours=policy.get("cab")["agenda_lead_hours"])
    due = list(Meeting.objects.filter(status="scheduled", agenda_generated_at__isnull=True,
                                      starts_at__lte=timezone.now() + lead).values_list("pk", flat=True))
    for meeting_id in due:
        generate_agenda(meeting_id=meeting_id)
    return len(due)


def _claim(model, pk, field, **also) -> bool:
    return bool(model.objects.filter(pk=pk, **{f"{field}__isnull": True}, **also).update(**{field: timezone.now()}))


@shared_task(name="cab.send_invitations")
def send_invitations(meeting_id: int) -> int:
    """Invite every board member (inbox row, and email with the .ics through the one mail path).
    The claim and the notifications commit together: each member is invited exactly once."""
    from cab.ics import invitation
    from cab.models import Meeting
    from changemgmt.models import NotificationKind
    from changemgmt.notifications import Message, notify_many

    with transaction.atomic():
        if not _claim(Meeting, meeting_id, "invitations_sent_at"):
            return 0
        meeting = Meeting.objects.get(pk=meeting_id)
        board = _board_users()
        local = timezone.localtime(meeting.starts_at)
        ics = invitation(meeting, [u for u in board if u.email]).decode()
        attachment = ("invite.ics", ics, "text/calendar; method=REQUEST; charset=utf-8")
        body = "\n".join(filter(None, [f"You are invited to the {meeting.get_kind_display()} on "
                                       f"{local:%A %Y-%m-%d at %H:%M %Z}.", meeting.reason]))
        notify_many([Message(u.pk, NotificationKind.CAB_INVITATION, f"{meeting.title}: {local:%a %Y-%m-%d %H:%M %Z}",
                             body, f"/cab/meetings/{meeting.pk}/", meeting.starts_at, (attachment,))
                     for u in board])
    return len(board)


@shared_task(name="cab.send_minutes")
def send_minutes(meeting_id: int) -> int:
    """Send published minutes (the Markdown record attached) to every board member, exactly once."""
    from cab.models import Minutes
    from changemgmt.models import NotificationKind
    from changemgmt.notifications import Message, notify_many

    with transaction.atomic():
        minutes = Minutes.objects.select_related("meeting").filter(meeting_id=meeting_id,
                                                                  published_at__isnull=False).first()
        if minutes is None or not _claim(Minutes, minutes.pk, "distributed_at"):
            return 0
        board = _board_users()
        attachment = (f"cab-minutes-{meeting_id}.md", minutes.body, "text/markdown; charset=utf-8")
        notify_many([Message(u.pk, NotificationKind.CAB_MINUTES, f"Minutes published: {minutes.meeting.title}",
                             "The minutes are published and read-only; the record is attached.",
                             f"/cab/meetings/{meeting_id}/minutes/", None, (attachment,))
                     for u in board])
    return len(board)


@shared_task(name="cab.send_due_mail")
def send_due_mail() -> int:
    """Every minute: invitations and minutes whose queued task never ran (broker down, worker dead)
    are found again by indexed due-work queries and sent now."""
    from cab.models import Meeting, Minutes

    meetings = list(Meeting.objects.filter(invitations_sent_at__isnull=True, status="scheduled",
                                           starts_at__gt=timezone.now()).values_list("pk", flat=True))
    published = list(Minutes.objects.filter(published_at__isnull=False, distributed_at__isnull=True,
                                            purged_at__isnull=True).values_list("meeting_id", flat=True))
    return sum(send_invitations(pk) for pk in meetings) + sum(send_minutes(pk) for pk in published)


@shared_task(name="cab.remind_action_items")
def remind_action_items() -> int:
    """Remind owners of open action items due within `action_reminder_days_before` days (or
    overdue), at most once a day per item; returns how many reminders were written."""
    from django.db.models import Q

    from cab.models import ActionItem
    from changemgmt import policy
    from changemgmt.models import NotificationKind
    from changemgmt.notifications import notify

    today = timezone.localdate()
    horizon = today + timedelta(days=policy.get("cab")["action_reminder_days_before"])
    due = list(ActionItem.objects.filter(status="open", due_on__lte=horizon, owner__isnull=False)
               .filter(Q(reminded_on__isnull=True) | Q(reminded_on__lt=today)).select_related("owner"))
    sent = 0
    for action in due:
        with transaction.atomic():
            if not ActionItem.objects.filter(pk=action.pk).filter(
                    Q(reminded_on__isnull=True) | Q(reminded_on__lt=today)).update(reminded_on=today):
                continue
            overdue = "is overdue" if action.due_on < today else f"is due on {action.due_on:%a %Y-%m-%d}"
            notify(user=action.owner, kind=NotificationKind.CAB_ACTION_REMINDER,
                   title=f"Action item {overdue}: {action.title}", body=action.details, url="/cab/actions/")
        sent += 1
    return sent


@shared_task(name="cab.purge_expired_minutes")
def purge_expired_minutes() -> int:
    """Daily: purge published minutes past their retention date (POLICY §9); catches up after downtime."""
    from cab.services.retention import purge_expired_minutes as purge

    return purge()
