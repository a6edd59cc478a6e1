"""Meetings: the beat job creates the weekly ones ahead (idempotently), emergency CABs meet within
the policy's hours, freeze reviews precede freezes, invitations carry an iCalendar file, agendas
are generated on time and action owners are reminded."""
from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_celery_beat.models import PeriodicTask
from icalendar import Calendar

from cab import tasks
from cab.choices import MeetingKind
from cab.models import ActionItem, Meeting
from cab.services.meetings import convene_emergency
from changes.calendar.models import Freeze
from tests.support import cab as support
from tests.support import factories as f


def test_beat_schedule_is_installed_by_migration(db):
    names = set(PeriodicTask.objects.values_list("task", flat=True))
    assert {"cab.schedule_meetings", "cab.generate_due_agendas", "cab.remind_action_items"} <= names


def test_weekly_meetings_are_created_ahead_on_wednesday_at_ten_once(frozen, board, mailoutbox,
                                                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.schedule_meetings() == 2
        assert tasks.schedule_meetings() == 0
    starts = [m.starts_at.astimezone(f.NY) for m in Meeting.objects.order_by("starts_at")]
    assert starts == [datetime(2026, 11, 25, 10, tzinfo=f.NY), datetime(2026, 12, 2, 10, tzinfo=f.NY)]
    invites = [m for m in mailoutbox if "Weekly CAB Wed 2026-11-25" in m.subject]
    assert len(invites) == len({u.pk for u in board.values()})
    name, content, mimetype = invites[0].attachments[0]
    event = Calendar.from_ical(content).walk("VEVENT")[0]
    assert name == "invite.ics" and mimetype.startswith("text/calendar")
    assert event.decoded("dtstart").astimezone(f.NY) == datetime(2026, 11, 25, 10, tzinfo=f.NY)
    assert str(event["uid"]) == f"cab-meeting-{Meeting.objects.order_by('starts_at').first().pk}@changemgmt"


def test_invitations_are_sent_once(frozen, board, mailoutbox):
    meeting = support.make_meeting()
    assert tasks.send_invitations(meeting.pk) == len({u.pk for u in board.values()})
    assert tasks.send_invitations(meeting.pk) == 0


def test_emergency_cab_meets_within_four_hours_with_the_change_on_its_agenda(frozen, board, requester):
    change = support.high_risk_in_approval(requester)
    meeting = convene_emergency(actor=board["chair"], reason="Card payments failing", change_id=change.pk,
                                starts_at=f.NOW + timedelta(hours=3))
    assert meeting.kind == MeetingKind.EMERGENCY and meeting.agenda_generated_at
    assert meeting.items.filter(change=change, needs_decision=True).exists()
    with pytest.raises(ValidationError, match="within 4 hours"):
        convene_emergency(actor=board["chair"], reason="Later", starts_at=f.NOW + timedelta(hours=5))
    with pytest.raises(PermissionDenied):
        convene_emergency(actor=board["qa"], reason="Not my call")


def test_freeze_review_meets_before_each_freeze_once(frozen, board):
    freeze = Freeze.objects.create(name="Holiday freeze", reason="Peak", starts_at=datetime(2026, 12, 10, tzinfo=f.NY),
                                   ends_at=datetime(2026, 12, 12, tzinfo=f.NY))
    tasks.schedule_meetings()
    tasks.schedule_meetings()
    review = Meeting.objects.get(kind=MeetingKind.FREEZE_REVIEW)
    assert review.freeze == freeze
    assert review.starts_at.astimezone(f.NY) == datetime(2026, 12, 8, 10, tzinfo=f.NY)


def test_a_lifted_freeze_gets_no_review_meeting(frozen, board):
    Freeze.objects.create(name="Holiday freeze", reason="Peak", starts_at=datetime(2026, 12, 10, tzinfo=f.NY),
                          ends_at=datetime(2026, 12, 12, tzinfo=f.NY), lifted_at=f.NOW,
                          lift_reason="Migration moved")
    tasks.schedule_meetings()
    assert not Meeting.objects.filter(kind=MeetingKind.FREEZE_REVIEW).exists()


def test_agendas_are_generated_when_due_and_only_then(frozen, board):
    due = support.make_meeting(start=f.NOW + timedelta(hours=20))
    later = support.make_meeting(start=f.NOW + timedelta(days=3))
    assert tasks.generate_due_agendas() == 1
    due.refresh_from_db()
    later.refresh_from_db()
    assert due.agenda_generated_at and not later.agenda_generated_at
    assert tasks.generate_due_agendas() == 0


def test_action_owners_are_reminded_once_a_day(frozen, board, mailoutbox, django_capture_on_commit_callbacks):
    ActionItem.objects.create(title="Runbook", owner=board["qa"], due_on=date(2026, 11, 24),
                              created_by=board["chair"])
    ActionItem.objects.create(title="Later", owner=board["qa"], due_on=date(2026, 12, 24), created_by=board["chair"])
    with django_capture_on_commit_callbacks(execute=True):  # mail goes out after commit
        assert tasks.remind_action_items() == 1
        assert tasks.remind_action_items() == 0
    assert "Runbook" in mailoutbox[0].subject and mailoutbox[0].to == ["quinn@example.com"]
