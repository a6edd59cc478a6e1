"""Builders for calendar tests: a change ready to deploy, and an iCalendar feed parsed and checked."""
from icalendar import Calendar

from approvals.services import decide
from changes import services
from tests.support import factories as f


def parse(body: bytes) -> dict[str, dict]:
    calendar = Calendar.from_ical(body)
    assert str(calendar["VERSION"]) == "2.0" and calendar["PRODID"]
    events = {}
    for event in calendar.walk("VEVENT"):
        for prop in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "SEQUENCE", "STATUS"):
            assert prop in event, prop
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert start.utcoffset().total_seconds() == 0 and end > start
        assert event["DTSTART"].to_ical().endswith(b"Z")
        events[str(event["UID"])] = {"start": start, "end": end, "summary": str(event["SUMMARY"]),
                                     "sequence": int(event["SEQUENCE"]), "status": str(event["STATUS"])}
    return events


def ready_change(requester, peer, peer2, **overrides):
    change = services.create_change(actor=requester, data=f.complete_fields(**overrides))
    services.run_transition(change_id=change.pk, name="submit", actor=requester)
    services.score_risk(change_id=change.pk, actor=requester, data=f.LOW_RISK)
    change = services.run_transition(change_id=change.pk, name="assess", actor=requester)
    for slot, approver in zip(change.approval_slots.order_by("id"), (peer, peer2), strict=True):
        decide(slot_id=slot.pk, actor=approver, verdict="grant")
    services.record_test_evidence(change_id=change.pk, actor=requester,
                                  data={"test_type": "unit", "result": "passed", "summary": "green"})
    return services.run_transition(change_id=change.pk, name="test", actor=requester)
