"""The board's authority [issue 9 §1, §2, §3, §8]: a CAB slot is decided only by a board decision in a meeting
with quorum; auditors never vote, chair or change an action item, even with a seat or as its owner; a refused
CAB write writes nothing — no ledger entry before (or after) the permission check; a high or critical
emergency change reaches the next agenda whenever it was deployed; seats are retired from the CAB page."""
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied

from approvals import services as approval_services
from cab import rules
from cab.choices import MeetingKind, Seat, Section
from cab.models import BoardMember, Meeting, Vote
from cab.services import actions, minutes, voting
from cab.services.agenda import generate_agenda
from cab.services.meetings import end_meeting, record_attendance, start_meeting
from changemgmt.errors import Conflict
from changemgmt.models import LedgerEntry, User
from changemgmt.roles import Role
from changes import services
from changes.choices import State
from changes.emergency.services import record_verbal_authorization
from tests.support import factories as f
from tests.support import lifecycle as life
from tests.support.api import client_for, post_json


def seat_board(chair):
    members = {"chair": chair}
    for code in (Seat.OPERATIONS, Seat.ENGINEERING, Seat.SECURITY, Seat.QA, Seat.BUSINESS):
        members[code] = f.make_user(f"seat-{code}", Role.CAB_MEMBER, team="Board")
    for code, user in members.items():
        BoardMember.objects.create(user=user, seat=code)
    return members


def meeting_at(start):
    return Meeting.objects.create(kind=MeetingKind.REGULAR, title=f"Weekly CAB {start:%Y-%m-%d}", starts_at=start,
                                  ends_at=start + timedelta(hours=1))


def quorate(meeting, board):
    start_meeting(meeting_id=meeting.pk, actor=board["chair"])
    record_attendance(meeting_id=meeting.pk, actor=board["chair"], present_user_ids=[u.pk for u in board.values()])


@pytest.fixture
def board(cab_chair):
    return seat_board(cab_chair)


@pytest.fixture
def cab_item(frozen, board, requester, peer, peer2, manager, security):
    """A started meeting whose agenda holds a high-risk change's pending CAB slot (other slots granted)."""
    change = life.in_approval(requester, scores=f.HIGH_RISK)
    slots = {(s.role, s.ordinal): s for s in change.approval_slots.all()}
    for key, approver in {("peer", 1): peer, ("peer", 2): peer2, ("manager", 1): manager,
                          ("security", 1): security}.items():
        approval_services.decide(slot_id=slots[key].pk, actor=approver, verdict="grant")
    meeting = meeting_at(f.NOW + timedelta(days=2))
    generate_agenda(meeting_id=meeting.pk)
    return meeting.items.get(change=change, needs_decision=True)


def test_a_board_decision_without_quorum_cannot_reach_the_cab_slot(cab_item, board):
    fake = SimpleNamespace(item=SimpleNamespace(slot_id=cab_item.slot_id, meeting=SimpleNamespace(
        status="in_progress")), tally={"quorum": {"met": False}}, decided_by=board["chair"])
    with pytest.raises(PermissionDenied, match="meeting with quorum"):
        approval_services.decide_by_board(decision=fake, verdict="grant", reason="")
    cab_item.slot.refresh_from_db()
    assert cab_item.slot.status == "pending"


def test_the_quorate_board_decides_the_cab_slot(cab_item, board):
    quorate(cab_item.meeting, board)
    voting.cast_vote(item_id=cab_item.pk, actor=board[Seat.QA], choice="approve")
    voting.record_decision(item_id=cab_item.pk, actor=board["chair"], outcome="approve")
    cab_item.slot.refresh_from_db()
    assert cab_item.slot.status == "granted" and cab_item.slot.decided_by == board["chair"]
    assert LedgerEntry.objects.filter(action="approval.granted").last().payload["by"] == "cab"


@pytest.fixture
def seated_auditor(board):
    person = f.make_user("aud", Role.AUDITOR, Role.CAB_MEMBER, team="Audit")
    BoardMember.objects.create(user=person, seat=Seat.BUSINESS, deputy=True)
    return person


def test_an_auditor_with_a_board_seat_cannot_vote_at_any_door(cab_item, seated_auditor, client):
    with pytest.raises(PermissionDenied, match="Auditors"):
        voting.cast_vote(item_id=cab_item.pk, actor=seated_auditor, choice="approve")
    before = LedgerEntry.objects.count()
    assert post_json(client_for(seated_auditor), f"/api/cab/items/{cab_item.pk}/votes/",
                     {"choice": "approve"}).status_code == 403
    client.force_login(seated_auditor)
    page = client.get(f"/cab/meetings/{cab_item.meeting_id}/").content.decode()
    assert f'action="/cab/items/{cab_item.pk}/vote/"' not in page
    client.post(f"/cab/items/{cab_item.pk}/vote/", {"choice": "approve"})
    assert not Vote.objects.exists() and LedgerEntry.objects.count() == before


def test_an_auditor_who_owns_an_action_item_cannot_change_its_status(frozen, board, auditor, client):
    action = actions.create(actor=board["chair"], title="Collect evidence", owner=auditor,
                            due_on=f.NOW.date() + timedelta(days=3))
    before = LedgerEntry.objects.count()
    with pytest.raises(PermissionDenied, match="Auditors"):
        actions.set_status(action_id=action.pk, actor=auditor, status="done")
    client.force_login(auditor)
    assert f'/cab/actions/{action.pk}/status/' not in client.get("/cab/actions/").content.decode()
    client.post(f"/cab/actions/{action.pk}/status/", {"status": "done"})
    response = client_for(auditor).patch(f"/api/cab/action-items/{action.pk}/", {"status": "done"}, format="json")
    assert response.status_code == 403
    action.refresh_from_db()
    assert action.status == "open" and LedgerEntry.objects.count() == before


def test_a_vote_on_published_minutes_writes_nothing_whoever_asks(cab_item, board, peer, client):
    quorate(cab_item.meeting, board)
    voting.cast_vote(item_id=cab_item.pk, actor=board[Seat.QA], choice="approve")
    end_meeting(meeting_id=cab_item.meeting_id, actor=board["chair"])
    minutes.publish(meeting_id=cab_item.meeting_id, actor=board["chair"])
    before = LedgerEntry.objects.count()
    with pytest.raises(PermissionDenied):  # no right: refused before anything else, nothing written
        voting.change_vote(item_id=cab_item.pk, actor=peer, choice="reject")
    with pytest.raises(Conflict, match="published"):
        voting.change_vote(item_id=cab_item.pk, actor=board[Seat.QA], choice="reject")
    assert client_for(peer).put(f"/api/cab/items/{cab_item.pk}/votes/mine/", {"choice": "reject"},
                                format="json").status_code == 403
    assert client_for(board[Seat.QA]).put(f"/api/cab/items/{cab_item.pk}/votes/mine/", {"choice": "reject"},
                                          format="json").status_code == 409
    client.force_login(peer)
    client.post(f"/cab/items/{cab_item.pk}/vote/", {"choice": "reject", "mode": "change"})
    assert LedgerEntry.objects.count() == before
    assert Vote.objects.get().choice == "approve"


def emergency_deployed(requester, cto, frozen):
    start = f.NOW + timedelta(minutes=10)
    change = life.filed(requester, change_type="emergency", emergency_criterion="production_down",
                        planned_start=start.isoformat(), planned_end=(start + timedelta(hours=1)).isoformat())
    services.run_transition(change_id=change.pk, name="submit", actor=requester)
    services.score_risk(change_id=change.pk, actor=requester, data=f.HIGH_RISK)
    record_verbal_authorization(change_id=change.pk, actor=cto, authorizer_id=cto.pk, role="cto", how="phone")
    frozen.move_to(start + timedelta(minutes=5))
    return services.run_transition(change_id=change.pk, name="deploy", actor=requester,
                                   data={"predeploy_checklist": life.ALL_CHECKLIST, "deployment_method": "canary"})


def test_a_high_risk_emergency_deployed_after_an_agenda_was_generated_is_on_the_following_one(
        frozen, board, requester, cto):
    first = meeting_at(f.NOW + timedelta(hours=22))  # Tuesday 10:00; its agenda is generated now
    generate_agenda(meeting_id=first.pk)
    change = emergency_deployed(requester, cto, frozen)
    assert change.state == State.DEPLOYED and change.emergency_review.cab_review
    assert not first.items.filter(change=change).exists()
    following = meeting_at(first.starts_at + timedelta(days=7))
    frozen.move_to(following.starts_at - timedelta(days=1))
    generate_agenda(meeting_id=following.pk)
    item = following.items.get(change=change)
    assert item.section == Section.EMERGENCY and item.needs_decision  # its post-hoc CAB approval
    # Once reviewed it is not carried to every later agenda.
    third = meeting_at(following.starts_at + timedelta(days=7))
    frozen.move_to(third.starts_at - timedelta(days=1))
    generate_agenda(meeting_id=third.pk)
    assert not third.items.filter(change=change, section=Section.EMERGENCY).exists()


def test_seats_are_retired_from_the_cab_page(frozen, board, admin_user, auditor, client):
    qa = BoardMember.objects.get(user=board[Seat.QA])
    chair_seat = BoardMember.objects.get(user=board["chair"])
    client.force_login(board["chair"])
    page = client.get("/cab/").content.decode()
    assert f"/cab/board/{qa.pk}/retire/" in page and f"/cab/board/{chair_seat.pk}/retire/" not in page
    assert client.post(f"/cab/board/{chair_seat.pk}/retire/").status_code == 403
    client.post(f"/cab/board/{qa.pk}/retire/")
    qa.refresh_from_db()
    assert not qa.active
    assert not rules.is_board_member(User.objects.get(pk=board[Seat.QA].pk))  # no vote, no quorum seat
    assert LedgerEntry.objects.filter(action="cab.member_retired").count() == 1
    client.force_login(auditor)
    assert client.post(f"/cab/board/{chair_seat.pk}/retire/").status_code == 403
    client.force_login(admin_user)
    client.post(f"/cab/board/{chair_seat.pk}/retire/")
    chair_seat.refresh_from_db()
    assert not chair_seat.active and LedgerEntry.objects.filter(action="cab.member_retired").count() == 2
