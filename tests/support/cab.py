"""Builders shared by the CAB tests (this module holds no tests): a seated board, a meeting, a
high-risk change waiting for its CAB approval, and rows written straight to the tables for the
agenda's seeded week (the agenda reads state; how a change got there is other tests' business)."""
from datetime import datetime, timedelta

from approvals.services import decide
from cab.choices import MeetingKind, Seat
from cab.models import BoardMember, Meeting
from changemgmt.roles import Role
from changes import services
from changes.models import ChangeRequest
from tests.support import factories as f

MEETING_START = datetime(2026, 11, 25, 10, 0, tzinfo=f.NY)  # the Wednesday after tests' NOW
LAST_MEETING = MEETING_START - timedelta(days=7)


def seat(user, seat_code, deputy=False):
    return BoardMember.objects.create(user=user, seat=seat_code, deputy=deputy)


def seat_board(cab_chair, cab_member):
    """The six seats: carol chairs, cameron is operations lead; deputies for the chair and QA."""
    members = {
        "chair": cab_chair,
        "operations": cab_member,
        "engineering": f.make_user("erin", Role.CAB_MEMBER, team="Platform"),
        "security": f.make_user("sid", Role.CAB_MEMBER, Role.SECURITY, team="Security"),
        "qa": f.make_user("quinn", Role.CAB_MEMBER, team="QA"),
        "business": f.make_user("bea", Role.CAB_MEMBER, team="Sales"),
    }
    for code, user in members.items():
        seat(user, code)
    members["deputy_chair"] = f.make_user("dave", Role.CAB_CHAIR, Role.CAB_MEMBER, team="Release")
    seat(members["deputy_chair"], Seat.CHAIR, deputy=True)
    members["deputy_qa"] = f.make_user("quincy", Role.CAB_MEMBER, team="QA")
    seat(members["deputy_qa"], Seat.QA, deputy=True)
    return members


def make_meeting(start=MEETING_START, kind=MeetingKind.REGULAR, **fields) -> Meeting:
    return Meeting.objects.create(kind=kind, title=f"Weekly CAB {start:%Y-%m-%d}", starts_at=start,
                                  ends_at=start + timedelta(hours=1), **fields)


def high_risk_in_approval(requester, **overrides) -> ChangeRequest:
    """A high-risk application change in approval: slots peer, peer, manager, security, cab."""
    change = services.create_change(actor=requester, data=f.complete_fields(**overrides))
    services.run_transition(change_id=change.pk, name="submit", actor=requester)
    services.score_risk(change_id=change.pk, actor=requester, data=f.HIGH_RISK)
    return services.run_transition(change_id=change.pk, name="assess", actor=requester)


def grant_all_but_cab(change, peer, peer2, manager, security):
    slots = {(s.role, s.ordinal): s for s in change.approval_slots.all()}
    decide(slot_id=slots[("peer", 1)].pk, actor=peer, verdict="grant")
    decide(slot_id=slots[("peer", 2)].pk, actor=peer2, verdict="grant")
    decide(slot_id=slots[("manager", 1)].pk, actor=manager, verdict="grant")
    decide(slot_id=slots[("security", 1)].pk, actor=security, verdict="grant")
    return slots[("cab", 1)]


def row(requester, **fields) -> ChangeRequest:
    """A change written straight to the table in whatever state the test needs."""
    defaults = {"title": "Seeded change", "requester": requester, "owner": requester, "state": "approval",
                "risk_level": "low", "change_type": "normal"}
    defaults.update(fields)
    return ChangeRequest.objects.create(**defaults)


def attend(meeting, chair, *users):
    from cab.services.meetings import record_attendance

    return record_attendance(meeting_id=meeting.pk, actor=chair, present_user_ids=[u.pk for u in users])
