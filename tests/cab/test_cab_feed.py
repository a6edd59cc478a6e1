"""CAB meetings in the iCalendar feeds: each meeting once, in UTC, with the UID of its emailed
invitation; a service's feed lists only the meetings that discuss that service's changes."""
from datetime import UTC, datetime

from icalendar import Calendar

from cab.ics import invitation
from cab.services.agenda import generate_agenda
from changes import services
from changes.calendar import services as calendar_services
from tests.support import cab as support
from tests.support import factories as f
from tests.support.calendar import parse


def test_the_user_feed_lists_cab_meetings_with_the_invitation_uid(frozen, client, requester, board):
    meeting = support.make_meeting(reason="Weekly review")
    _token, secret = calendar_services.issue_feed_token(actor=requester)
    events = parse(client.get(f"/calendar/feeds/{secret}.ics").content)
    invited = Calendar.from_ical(invitation(meeting, [board["qa"]]))
    [invite] = invited.walk("VEVENT")
    event = events[str(invite["UID"])]
    assert event["start"] == datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
    assert event["end"] == datetime(2026, 11, 25, 16, 0, tzinfo=UTC)
    assert event["summary"] == meeting.title and event["sequence"] == 0 and event["status"] == "CONFIRMED"
    assert [uid for uid in events if uid.startswith("cab-meeting-")] == [str(invite["UID"])]


def test_meetings_outside_the_feed_period_are_left_out(frozen, client, requester):
    support.make_meeting(start=datetime(2025, 1, 8, 10, 0, tzinfo=f.NY))
    _token, secret = calendar_services.issue_feed_token(actor=requester)
    events = parse(client.get(f"/calendar/feeds/{secret}.ics").content)
    assert not [uid for uid in events if uid.startswith("cab-meeting-")]


def test_a_service_feed_has_the_meetings_discussing_its_changes(frozen, client, requester, peer, peer2, manager,
                                                                 security, board):
    change = support.high_risk_in_approval(requester)
    support.grant_all_but_cab(change, peer, peer2, manager, security)
    discussing = support.make_meeting()
    generate_agenda(meeting_id=discussing.pk)
    assert discussing.items.filter(change=change).exists()
    search = f.make_service("search")
    services.create_change(actor=requester, data=f.complete_fields(services=[search.pk]))
    _token, secret = calendar_services.issue_feed_token(actor=requester)
    [payments] = change.services.all()
    uid = f"cab-meeting-{discussing.pk}@changemgmt"
    assert uid in parse(client.get(f"/calendar/feeds/{secret}/services/{payments.pk}.ics").content)
    assert uid not in parse(client.get(f"/calendar/feeds/{secret}/services/{search.pk}.ics").content)
