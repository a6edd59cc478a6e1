"""CAB Celery tasks: the beat jobs (create meetings, generate due agendas, remind action owners)
and mail (invitations with an .ics file, published minutes). Each takes ids and is idempotent:
mail is claimed by stamping a timestamp with a conditional update before sending."""
import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
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


def _claim(model, pk, field) -> bool:
    return bool(model.objects.filter(pk=pk, **{f"{field}__isnull": True}).update(**{field: timezone.now()}))


@shared_task(name="cab.send_invitations")
def send_invitations(meeting_id: int) -> int:
    from cab.ics import invitation
    from cab.models import Meeting
    from cab.notify import email_recipients, to_inbox
    from changemgmt.models import NotificationKind

    if not _claim(Meeting, meeting_id, "invitations_sent_at"):
        return 0
    meeting = Meeting.objects.get(pk=meeting_id)
    board = _board_users()
    users = email_recipients(board, NotificationKind.CAB_INVITATION)
    local = timezone.localtime(meeting.starts_at)
    try:
        ics = invitation(meeting, [u for u in board if u.email])
        messages = []
        for user in users:
            message = EmailMessage(
                subject=f"[CAB] {meeting.title} — {local:%a %Y-%m-%d %H:%M %Z}",
                body=(f"You are invited to the {meeting.get_kind_display()} on {local:%A %Y-%m-%d at %H:%M %Z}.\n"
                      f"{meeting.reason}\n\nAgenda and voting: {settings.SITE_URL}/cab/meetings/{meeting.pk}/\n"),
                to=[user.email])
            message.attach("invite.ics", ics, "text/calendar; method=REQUEST; charset=utf-8")
            messages.append(message)
        get_connection().send_messages(messages)
    except Exception:
        Meeting.objects.filter(pk=meeting_id).update(invitations_sent_at=None)
        raise
    to_inbox(board, kind=NotificationKind.CAB_INVITATION, title=f"{meeting.title}: {local:%a %Y-%m-%d %H:%M %Z}",
             body=f"You are invited to the {meeting.get_kind_display()}. {meeting.reason}".strip(),
             url=f"/cab/meetings/{meeting.pk}/", due_at=meeting.starts_at)
    return len(users)


@shared_task(name="cab.send_minutes")
def send_minutes(meeting_id: int) -> int:
    from cab.models import Minutes
    from cab.notify import email_recipients, to_inbox
    from changemgmt.models import NotificationKind

    minutes = Minutes.objects.select_related("meeting").filter(meeting_id=meeting_id,
                                                              published_at__isnull=False).first()
    if minutes is None or not _claim(Minutes, minutes.pk, "distributed_at"):
        return 0
    board = _board_users()
    users = email_recipients(board, NotificationKind.CAB_MINUTES)
    try:
        messages = []
        for user in users:
            message = EmailMessage(subject=f"[CAB] Minutes: {minutes.meeting.title}", body=minutes.body,
                                   to=[user.email])
            message.attach(f"cab-minutes-{meeting_id}.md", minutes.body, "text/markdown; charset=utf-8")
            messages.append(message)
        get_connection().send_messages(messages)
    except Exception:
        Minutes.objects.filter(pk=minutes.pk).update(distributed_at=None)
        raise
    to_inbox(board, kind=NotificationKind.CAB_MINUTES, title=f"Minutes published: {minutes.meeting.title}",
             body="The minutes are published and read-only.", url=f"/cab/meetings/{meeting_id}/minutes/")
    return len(users)


@shared_task(name="cab.remind_action_items")
def remind_action_items() -> int:
    """Remind owners of open action items due within `action_reminder_days_before` days (or
    overdue), at most once a day per item."""
    from django.db.models import Q

    from cab.models import ActionItem
    from cab.notify import email_recipients, to_inbox
    from changemgmt import policy
    from changemgmt.models import NotificationKind

    today = timezone.localdate()
    horizon = today + timedelta(days=policy.get("cab")["action_reminder_days_before"])
    due = list(ActionItem.objects.filter(status="open", due_on__lte=horizon, owner__isnull=False)
               .filter(Q(reminded_on__isnull=True) | Q(reminded_on__lt=today)).select_related("owner"))
    sent = 0
    for action in due:
        if not ActionItem.objects.filter(pk=action.pk).filter(
                Q(reminded_on__isnull=True) | Q(reminded_on__lt=today)).update(reminded_on=today):
            continue
        overdue = "is overdue" if action.due_on < today else f"is due on {action.due_on:%a %Y-%m-%d}"
        if email_recipients([action.owner], NotificationKind.CAB_ACTION_REMINDER):
            EmailMessage(subject=f"[CAB] Action item {overdue}: {action.title}",
                         body=f"{action.title}\n\n{action.details}\n\n{settings.SITE_URL}/cab/actions/\n",
                         to=[action.owner.email]).send()
            sent += 1
        to_inbox([action.owner], kind=NotificationKind.CAB_ACTION_REMINDER,
                 title=f"Action item {overdue}: {action.title}", body=action.details, url="/cab/actions/")
    return sent


@shared_task(name="cab.purge_expired_minutes")
def purge_expired_minutes() -> int:
    """Daily: purge published minutes past their retention date (POLICY §9); catches up after downtime."""
    from cab.services.retention import purge_expired_minutes as purge

    return purge()
