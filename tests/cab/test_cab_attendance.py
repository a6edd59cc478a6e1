"""Recording attendance is a service write like any other: each attendee added, marked present or
absent, or removed (a seat retired since the last roll call) keeps a history row, each call is one
`cab.attendance_recorded` ledger entry saying what changed, and a refused call writes nothing."""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cab.choices import MeetingStatus
from cab.models import Attendance, Meeting
from cab.services.board import retire
from cab.services.meetings import record_attendance, start_meeting
from changemgmt.errors import Conflict
from changemgmt.models import LedgerEntry
from tests.support import cab as support

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def meeting(board):
    meeting = support.make_meeting()
    start_meeting(meeting_id=meeting.pk, actor=board["chair"])
    return meeting


def _history(meeting) -> list[tuple[str, str, bool]]:
    return sorted((row.history_type, row.user.username, row.present)
                  for row in Attendance.history.filter(meeting_id=meeting.pk).select_related("user"))


def _entries():
    return list(LedgerEntry.objects.filter(action="cab.attendance_recorded").order_by("seq"))


def test_the_first_roll_call_adds_one_row_per_seat_with_its_history(meeting, board):
    record_attendance(meeting_id=meeting.pk, actor=board["chair"], present_user_ids=[board["chair"].pk,
                                                                                     board["qa"].pk])

    assert Attendance.objects.filter(meeting=meeting).count() == 8  # six seats and two deputies
    assert ("+", "carol", True) in _history(meeting) and ("+", "bea", False) in _history(meeting)
    assert len(_history(meeting)) == 8
    [entry] = _entries()
    assert entry.payload["arrived"] == ["carol (Chair / release manager)", "quinn (QA representative)"]
    assert entry.payload["left"] == [] and entry.payload["removed"] == []


def test_a_later_roll_call_changes_only_the_attendees_who_changed(meeting, board):
    chair = board["chair"]
    record_attendance(meeting_id=meeting.pk, actor=chair, present_user_ids=[chair.pk, board["qa"].pk])
    ids = set(Attendance.objects.filter(meeting=meeting).values_list("pk", flat=True))

    record_attendance(meeting_id=meeting.pk, actor=chair, present_user_ids=[chair.pk, board["business"].pk])

    assert set(Attendance.objects.filter(meeting=meeting).values_list("pk", flat=True)) == ids
    changes = [h for h in _history(meeting) if h[0] == "~"]
    assert changes == [("~", "bea", True), ("~", "quinn", False)]
    second = _entries()[-1]
    assert second.payload["arrived"] == ["bea (Business representative)"]
    assert second.payload["left"] == ["quinn (QA representative)"]
    assert len(_entries()) == 2


def test_a_seat_retired_since_the_last_roll_call_is_removed_with_its_history(meeting, board):
    chair = board["chair"]
    record_attendance(meeting_id=meeting.pk, actor=chair, present_user_ids=[chair.pk])
    deputy = board["deputy_qa"].cab_seats.get()
    retire(actor=chair, member_id=deputy.pk)

    record_attendance(meeting_id=meeting.pk, actor=chair, present_user_ids=[chair.pk])

    assert not Attendance.objects.filter(meeting=meeting, user=board["deputy_qa"]).exists()
    assert ("-", "quincy", False) in _history(meeting)
    assert _entries()[-1].payload["removed"] == ["quincy (QA representative)"]


@pytest.mark.parametrize("refusal", ["not the chair", "published", "not a member"])
def test_a_refused_roll_call_writes_nothing(meeting, board, peer, refusal):
    chair = board["chair"]
    record_attendance(meeting_id=meeting.pk, actor=chair, present_user_ids=[chair.pk])
    actor, present, error = chair, [board["qa"].pk], None
    if refusal == "not the chair":
        actor, error = board["qa"], PermissionDenied
    elif refusal == "published":
        Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.PUBLISHED)
        error = Conflict
    else:
        present, error = [peer.pk], ValidationError
    rows = list(Attendance.objects.filter(meeting=meeting).values_list("pk", "present", "recorded_at"))
    history, entries = Attendance.history.count(), LedgerEntry.objects.count()

    with pytest.raises(error):
        record_attendance(meeting_id=meeting.pk, actor=actor, present_user_ids=present)

    assert list(Attendance.objects.filter(meeting=meeting).values_list("pk", "present", "recorded_at")) == rows
    assert Attendance.history.count() == history and LedgerEntry.objects.count() == entries
