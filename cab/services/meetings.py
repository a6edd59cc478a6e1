"""Meetings: the weekly ones (created ahead by the beat job), emergency CABs, freeze reviews, and
running a meeting (start, attendance, end)."""
from datetime import datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cab.choices import MeetingKind, MeetingStatus, Seat
from cab.models import Attendance, BoardMember, Meeting
from cab.services.agenda import add_item, generate_agenda
from cab.services.common import lock_meeting, refuse_if_published, require_chair
from changemgmt import ledger, policy
from changemgmt.errors import Conflict
from changemgmt.tasking import enqueue
from changes.calendar.models import Freeze
from changes.choices import TERMINAL_STATES
from changes.models import ChangeRequest

WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def _local_at(day, hhmm: str) -> datetime:
    hours, minutes = (int(part) for part in hhmm.split(":"))
    return datetime.combine(day, time(hours, minutes)).replace(tzinfo=timezone.get_current_timezone())


def regular_slots(now: datetime) -> list[datetime]:
    """The next `schedule_weeks_ahead` regular meeting starts after `now`, in org time."""
    settings = policy.get("cab")
    today = timezone.localtime(now).date()
    ahead = (WEEKDAYS.index(settings["weekday"]) - today.weekday()) % 7
    first = _local_at(today + timedelta(days=ahead), settings["time"])
    if first <= now:
        first = _local_at(today + timedelta(days=ahead + 7), settings["time"])
    return [_local_at(first.date() + timedelta(weeks=week), settings["time"])
            for week in range(settings["schedule_weeks_ahead"])]


def _create(**fields) -> Meeting | None:
    """Create a meeting unless its unique slot is taken (a concurrent or repeated beat run)."""
    try:
        with transaction.atomic():
            meeting = Meeting.objects.create(**fields)
            ledger.append(actor=fields.get("convened_by"), action="cab.meeting_scheduled", subject=meeting,
                          payload={"kind": meeting.kind, "starts_at": meeting.starts_at, "title": meeting.title})
            enqueue("cab.send_invitations", meeting.pk)
            return meeting
    except IntegrityError:
        return None


def schedule_regular_meetings(*, now: datetime | None = None) -> list[Meeting]:
    """Idempotent: creates only the weekly meetings that do not exist yet."""
    now = now or timezone.now()
    minutes = policy.get("cab")["duration_minutes"]
    existing = set(Meeting.objects.filter(kind=MeetingKind.REGULAR, starts_at__in=regular_slots(now))
                   .values_list("starts_at", flat=True))
    created = []
    for start in regular_slots(now):
        if start in existing:
            continue
        meeting = _create(kind=MeetingKind.REGULAR, title=f"Weekly CAB {start:%a %Y-%m-%d %H:%M}",
                          starts_at=start, ends_at=start + timedelta(minutes=minutes))
        if meeting:
            created.append(meeting)
    return created


def schedule_freeze_reviews(*, now: datetime | None = None) -> list[Meeting]:
    """A review meeting before each freeze found within the look-ahead (idempotent: one per freeze).
    It meets `freeze_review_days_before` days ahead at the regular time, or within the hour when
    that moment has passed, and never once the freeze has begun."""
    now = now or timezone.now()
    settings = policy.get("cab")
    freezes = (Freeze.objects.filter(starts_at__gt=now, lifted_at__isnull=True,  # a lifted freeze needs no review
                                     starts_at__lte=now + timedelta(days=settings["freeze_lookahead_days"]))
               .exclude(cab_reviews__isnull=False).order_by("starts_at"))
    created = []
    for freeze in freezes:
        day = timezone.localtime(freeze.starts_at).date() - timedelta(days=settings["freeze_review_days_before"])
        start = _local_at(day, settings["time"])
        if start <= now:
            start = (now + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
        end = start + timedelta(minutes=settings["duration_minutes"])
        if end > freeze.starts_at:
            continue
        meeting = _create(kind=MeetingKind.FREEZE_REVIEW, title=f"Freeze review: {freeze.name}"[:200],
                          starts_at=start, ends_at=end, freeze=freeze,
                          reason=f"Review of the {freeze.get_kind_display().lower()} freeze “{freeze.name}”.")
        if meeting:
            created.append(meeting)
    return created


def convene_emergency(*, actor, reason: str, change_id: int | None = None,
                      starts_at: datetime | None = None) -> Meeting:
    """An emergency CAB within `emergency_within_hours`, with its agenda generated at once and
    invitations sent."""
    require_chair(actor, "convene an emergency CAB")
    settings = policy.get("cab")
    now = timezone.now()
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = "Say why the emergency CAB is needed."
    starts_at = starts_at or now + timedelta(minutes=30)
    limit = now + timedelta(hours=settings["emergency_within_hours"])
    if not now - timedelta(minutes=5) <= starts_at <= limit:
        errors["starts_at"] = (f"An emergency CAB meets within {settings['emergency_within_hours']} hours: "
                               f"between now and {timezone.localtime(limit):%Y-%m-%d %H:%M}.")
    change = None
    if change_id is not None:
        change = ChangeRequest.objects.filter(pk=change_id).first()
        if change is None:
            errors["change"] = "No change with this id."
        elif change.state in TERMINAL_STATES:
            errors["change"] = f"{change.reference} is {change.get_state_display().lower()}."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # One line: the title is the invitations' e-mail subject, where a line break drops every mail.
        title = f"Emergency CAB: {change.reference} {change.title}" if change else f"Emergency CAB: {reason}"
        title = " ".join(title.split())
        meeting = Meeting.objects.create(
            kind=MeetingKind.EMERGENCY, title=title[:200], starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=settings["duration_minutes"]), reason=reason,
            emergency_change=change, convened_by=actor)
        ledger.append(actor=actor, action="cab.emergency_convened", subject=meeting,
                      payload={"reason": reason, "starts_at": starts_at,
                               "change": change.reference if change else None})
        generate_agenda(meeting_id=meeting.pk, actor=actor)
        if change is not None and not meeting.items.filter(change=change).exists():
            add_item(meeting_id=meeting.pk, actor=actor, change_id=change.pk, note=reason, allow_during_meeting=True)
        enqueue("cab.send_invitations", meeting.pk)
    meeting.refresh_from_db()
    return meeting


def start_meeting(*, meeting_id: int, actor) -> Meeting:
    require_chair(actor, "start the meeting")
    refuse_if_published(meeting_id=meeting_id, actor=actor, attempted="start meeting")
    generate_agenda(meeting_id=meeting_id, actor=actor)
    with transaction.atomic():
        meeting = lock_meeting(meeting_id)
        if meeting.status != MeetingStatus.SCHEDULED:
            raise Conflict(f"The meeting is already {meeting.get_status_display().lower()}.")
        meeting.status = MeetingStatus.IN_PROGRESS
        meeting.started_at = timezone.now()
        meeting.save(update_fields=["status", "started_at"])
        ledger.append(actor=actor, action="cab.meeting_started", subject=meeting, payload={})
        return meeting


def end_meeting(*, meeting_id: int, actor) -> Meeting:
    require_chair(actor, "end the meeting")
    refuse_if_published(meeting_id=meeting_id, actor=actor, attempted="end meeting")
    with transaction.atomic():
        meeting = lock_meeting(meeting_id)
        if meeting.status != MeetingStatus.IN_PROGRESS:
            raise Conflict("Only a meeting in progress can end.")
        meeting.status = MeetingStatus.ENDED
        meeting.ended_at = timezone.now()
        meeting.save(update_fields=["status", "ended_at"])
        undecided = list(meeting.items.filter(needs_decision=True, decision__isnull=True)
                         .values_list("title", flat=True))
        ledger.append(actor=actor, action="cab.meeting_ended", subject=meeting, payload={"undecided": undecided})
        return meeting


def _attendee(member) -> str:
    return f"{member.user.username} ({Seat(member.seat).label}{', deputy' if member.deputy else ''})"


def record_attendance(*, meeting_id: int, actor, present_user_ids) -> list[Attendance]:
    """Record who is present: one row per active board member and seat, present or absent. Each row
    is saved on its own (added, marked present or absent, or removed for a seat no longer held), so
    the row history shows every attendee's change; the one ledger entry lists the roll call and
    what changed since the last one."""
    require_chair(actor, "record attendance")
    refuse_if_published(meeting_id=meeting_id, actor=actor, attempted="record attendance")
    try:
        present = {int(user_id) for user_id in present_user_ids}
    except (TypeError, ValueError) as exc:
        raise ValidationError({"present": "A list of user ids."}) from exc
    with transaction.atomic():
        meeting = lock_meeting(meeting_id)
        if meeting.status == MeetingStatus.ENDED:
            raise Conflict("The meeting has ended; attendance is closed.")
        members = list(BoardMember.objects.filter(active=True).select_related("user"))
        unknown = present - {m.user_id for m in members}
        if unknown:
            raise ValidationError({"present": f"Not board members: {sorted(unknown)}."})
        rows = {(row.user_id, row.seat): row for row in meeting.attendance.select_related("user")}
        changed = {"arrived": [], "left": [], "removed": []}
        kept = []
        for member in members:
            row = rows.pop((member.user_id, member.seat), None)
            is_present = member.user_id in present
            if row is None or row.present != is_present or row.deputy != member.deputy:
                if is_present != (row.present if row else False):
                    changed["arrived" if is_present else "left"].append(_attendee(member))
                row = row or Attendance(meeting=meeting, user=member.user, seat=member.seat)
                row.deputy, row.present = member.deputy, is_present
                row.save()
            kept.append(row)
        for row in rows.values():
            changed["removed"].append(f"{row.user.username} ({Seat(row.seat).label})")
            row.delete()
        ledger.append(actor=actor, action="cab.attendance_recorded", subject=meeting, payload={
            "present": sorted(_attendee(m) for m in members if m.user_id in present),
            "absent": sorted(m.user.username for m in members if m.user_id not in present),
            **{key: sorted(names) for key, names in changed.items()}})
        return kept
