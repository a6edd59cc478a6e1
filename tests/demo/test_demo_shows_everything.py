"""The demo shows everything: the whole board seated, the next CAB meeting scheduled with its agenda, and
a few changes in conflict — each through the services, so each is in the ledger."""
from io import StringIO

from django.core.management import call_command

from approvals.models import ApprovalSlot
from cab.choices import MeetingKind, Seat, Section
from cab.models import AgendaItem, BoardMember, Meeting
from changemgmt.models import LedgerEntry
from changes.calendar.models import ChangeConflict
from demo import data


def test_the_demo_seats_the_board_schedules_the_next_meeting_and_puts_changes_in_conflict(db):
    out = StringIO()
    call_command("demo", stdout=out)

    seated = set(BoardMember.objects.filter(active=True, deputy=False).values_list("seat", flat=True))
    assert seated == set(Seat.values)
    assert LedgerEntry.objects.filter(action="cab.member_appointed").count() == len(data.BOARD)

    meeting = Meeting.objects.filter(kind=MeetingKind.REGULAR).order_by("starts_at").first()
    assert meeting is not None and meeting.agenda_generated_at is not None
    sections = set(AgendaItem.objects.filter(meeting=meeting).values_list("section", flat=True))
    assert {Section.CLOSED, Section.AWAITING, Section.CALENDAR} <= sections
    calendar = AgendaItem.objects.get(meeting=meeting, section=Section.CALENDAR)
    assert calendar.snapshot["conflicts"], "the agenda's calendar shows the demo's conflicts"
    assert LedgerEntry.objects.filter(action="cab.agenda_generated", subject__endswith=f":{meeting.pk}").exists()
    assert f"/cab/meetings/{meeting.pk}/" in out.getvalue()

    assert ChangeConflict.objects.count() >= data.CONFLICT_PAIRS


def test_every_decision_of_the_demo_says_how_it_was_made(db):
    call_command("demo", stdout=StringIO())
    decided = ApprovalSlot.objects.exclude(decided_at=None)
    assert decided.exists() and not decided.filter(channel="").exists()
