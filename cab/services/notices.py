"""What the board is told: meeting invitations (with an .ics file), published minutes (with the
Markdown record) and action-item reminders, and the sweep that finds again what a lost task left
undone.

Each write claims its work by stamping a timestamp with a conditional update, in the same transaction
as the notifications it writes, so every member is told exactly once however often a task runs.
The notifications are mailed by changemgmt.notifications, the one mail path; nothing here builds
or sends a mail. The Celery tasks of cab.tasks call these functions.
"""
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cab.choices import ActionStatus, MeetingStatus
from cab.ics import invitation
from cab.models import ActionItem, BoardMember, Meeting, Minutes
from changemgmt import policy
from changemgmt.models import NotificationKind
from changemgmt.notifications import Message, notify, notify_many


def _board_users():
    """Every active person holding an active seat, once (with or without an email address)."""
    seen, users = set(), []
    for member in BoardMember.objects.filter(active=True).select_related("user").order_by("user__username"):
        if member.user_id not in seen and member.user.is_active:
            seen.add(member.user_id)
            users.append(member.user)
    return users


def _claim(model, pk, field, **also) -> bool:
    return bool(model.objects.filter(pk=pk, **{f"{field}__isnull": True}, **also).update(**{field: timezone.now()}))


def invite_board(*, meeting_id: int) -> int:
    """Invite every board member (inbox row, and email with the .ics). The claim and the
    notifications commit together: each member is invited exactly once. Returns how many."""
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


def distribute_minutes(*, meeting_id: int) -> int:
    """Send published minutes (the Markdown record attached) to every board member, exactly once."""
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


def send_due() -> int:
    """Invitations and minutes whose queued task never ran (broker down, worker dead), found again by
    indexed due-work queries and sent now; returns how many people were told."""
    meetings = list(Meeting.objects.filter(invitations_sent_at__isnull=True, status=MeetingStatus.SCHEDULED,
                                           starts_at__gt=timezone.now()).values_list("pk", flat=True))
    published = list(Minutes.objects.filter(published_at__isnull=False, distributed_at__isnull=True,
                                            purged_at__isnull=True).values_list("meeting_id", flat=True))
    return (sum(invite_board(meeting_id=pk) for pk in meetings)
            + sum(distribute_minutes(meeting_id=pk) for pk in published))


def remind_action_owners() -> int:
    """Remind owners of open action items due within `action_reminder_days_before` days (or
    overdue), at most once a day per item; returns how many reminders were written."""
    today = timezone.localdate()
    horizon = today + timedelta(days=policy.get("cab")["action_reminder_days_before"])
    not_today = Q(reminded_on__isnull=True) | Q(reminded_on__lt=today)
    due = list(ActionItem.objects.filter(status=ActionStatus.OPEN, due_on__lte=horizon, owner__isnull=False)
               .filter(not_today).select_related("owner"))
    sent = 0
    for action in due:
        with transaction.atomic():
            if not ActionItem.objects.filter(pk=action.pk).filter(not_today).update(reminded_on=today):
                continue
            overdue = "is overdue" if action.due_on < today else f"is due on {action.due_on:%a %Y-%m-%d}"
            notify(user=action.owner, kind=NotificationKind.CAB_ACTION_REMINDER,
                   title=f"Action item {overdue}: {action.title}", body=action.details, url="/cab/actions/")
        sent += 1
    return sent
