"""The chair's decisions: quorum, the majority rule with the chair's tie-break, and what a
decision does to the change's CAB approval (grant → testing, reject → change rejected, defer →
pending and carried over). Refusals leave nothing half-written."""
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from cab.models import Decision
from cab.services import voting
from cab.services.agenda import generate_agenda
from cab.services.meetings import end_meeting, start_meeting
from changemgmt.errors import Conflict, GateRefused
from changemgmt.models import LedgerEntry
from changes.choices import State
from tests.support import cab as support
from tests.support import factories as f


@pytest.fixture
def running(frozen, board, requester, peer, peer2, manager, security):
    """A started meeting with a high-risk change whose other approvals are all granted."""
    change = support.high_risk_in_approval(requester)
    cab_slot = support.grant_all_but_cab(change, peer, peer2, manager, security)
    meeting = support.make_meeting()
    generate_agenda(meeting_id=meeting.pk)
    start_meeting(meeting_id=meeting.pk, actor=board["chair"])
    item = meeting.items.get(slot=cab_slot)
    return {"change": change, "slot": cab_slot, "meeting": meeting, "item": item}


def quorate(running, board, *extra):
    chair = board["chair"]
    support.attend(running["meeting"], chair, chair, board["qa"], board["operations"], board["engineering"], *extra)


def test_approval_grants_the_cab_slot_and_moves_the_change_to_testing(running, board):
    quorate(running, board)
    voting.cast_vote(item_id=running["item"].pk, actor=board["qa"], choice="approve")
    voting.cast_vote(item_id=running["item"].pk, actor=board["operations"], choice="approve")
    voting.cast_vote(item_id=running["item"].pk, actor=board["engineering"], choice="reject", comment="Too big")
    decision = voting.record_decision(item_id=running["item"].pk, actor=board["chair"], outcome="approve",
                                      reason="Benefits outweigh risk", conditions="Deploy behind a feature flag")
    running["slot"].refresh_from_db()
    assert running["slot"].status == "granted" and running["slot"].decided_by == board["chair"]
    assert "Conditions: Deploy behind a feature flag" in running["slot"].reason
    assert f.reload(running["change"]).state == State.TESTING
    assert decision.tally["approve"] == 2 and decision.tally["reject"] == 1
    assert LedgerEntry.objects.filter(action="cab.decided").last().payload["conditions"] == \
        "Deploy behind a feature flag"


def test_rejection_rejects_the_change_with_the_reason(running, board):
    quorate(running, board)
    voting.cast_vote(item_id=running["item"].pk, actor=board["qa"], choice="reject")
    voting.record_decision(item_id=running["item"].pk, actor=board["chair"], outcome="reject",
                           reason="No rollback rehearsal")
    running["slot"].refresh_from_db()
    assert running["slot"].status == "rejected"
    change = f.reload(running["change"])
    assert change.state == State.REJECTED and "No rollback rehearsal" in change.closing_reason


def test_deferral_leaves_the_slot_pending_and_carries_the_item_to_the_next_meeting(running, board):
    following = support.make_meeting(start=support.MEETING_START + support.timedelta(days=7))
    generate_agenda(meeting_id=following.pk)
    following.items.filter(slot=running["slot"]).delete()  # as if generated before the deferral
    voting.record_decision(item_id=running["item"].pk, actor=board["chair"], outcome="defer",
                           reason="Waiting for the load test")
    running["slot"].refresh_from_db()
    assert running["slot"].status == "pending"
    assert f.reload(running["change"]).state == State.APPROVAL
    carried = following.items.get(slot=running["slot"])
    assert carried.needs_decision and "Deferred from" in carried.note


def test_a_deferred_change_shows_where_it_was_deferred_on_the_next_generated_agenda(running, board):
    voting.record_decision(item_id=running["item"].pk, actor=board["chair"], outcome="defer", reason="Need data")
    following = support.make_meeting(start=support.MEETING_START + support.timedelta(days=7))
    generate_agenda(meeting_id=following.pk)
    item = following.items.get(slot=running["slot"])
    assert item.snapshot["deferred_from"] == {"meeting": running["meeting"].title, "reason": "Need data"}


def test_deciding_without_the_chair_present_is_refused(running, board):
    support.attend(running["meeting"], board["chair"], board["qa"], board["operations"], board["engineering"],
                   board["business"])
    voting.cast_vote(item_id=running["item"].pk, actor=board["qa"], choice="approve")
    with pytest.raises(GateRefused) as refused:
        voting.record_decision(item_id=running["item"].pk, actor=board["chair"], outcome="approve")
    assert [m.code for m in refused.value.missing] == ["quorum_chair"]
    assert not Decision.objects.exists()
    running["slot"].refresh_from_db()
    assert running["slot"].status == "pending"


def test_deciding_with_too_few_seats_represented_is_refused(running, board):
    # Chair + QA principal and QA deputy: two seats of six, three needed.
    support.attend(running["meeting"], board["chair"], board["chair"], board["qa"], board["deputy_qa"])
    voting.cast_vote(item_id=running["item"].pk, actor=board["qa"], choice="approve")
    with pytest.raises(GateRefused) as refused:
        voting.record_decision(item_id=running["item"].pk, actor=board["chair"], outcome="approve")
    assert [m.code for m in refused.value.missing] == ["quorum_seats"]
    assert "2 of 6 seats" in refused.value.missing[0].message


def test_a_chair_deputy_makes_quorum(running, board):
    dave = board["deputy_chair"]
    support.attend(running["meeting"], dave, dave, board["qa"], board["operations"])
    voting.cast_vote(item_id=running["item"].pk, actor=board["qa"], choice="approve")
    voting.record_decision(item_id=running["item"].pk, actor=dave, outcome="approve")
    running["slot"].refresh_from_db()
    assert running["slot"].decided_by == dave


def test_decision_must_follow_the_majority_of_members_present(running, board):
    quorate(running, board)
    voting.cast_vote(item_id=running["item"].pk, actor=board["qa"], choice="reject")
    voting.cast_vote(item_id=running["item"].pk, actor=board["operations"], choice="reject")
    voting.cast_vote(item_id=running["item"].pk, actor=board["engineering"], choice="approve")
    with pytest.raises(ValidationError, match="must be rejected"):
        voting.record_decision(item_id=running["item"].pk, actor=board["chair"], outcome="approve")
    assert not Decision.objects.exists()


def test_votes_of_absent_members_do_not_count(running, board):
    quorate(running, board)
    voting.cast_vote(item_id=running["item"].pk, actor=board["qa"], choice="approve")
    voting.cast_vote(item_id=running["item"].pk, actor=board["business"], choice="reject")  # absent
    voting.cast_vote(item_id=running["item"].pk, actor=board["security"], choice="reject")  # absent
    decision = voting.record_decision(item_id=running["item"].pk, actor=board["chair"], outcome="approve")
    assert (decision.tally["approve"], decision.tally["reject"], decision.tally["not_counted"]) == (1, 0, 2)


def test_the_chair_breaks_a_tie_and_abstentions_do_not_count(running, board):
    quorate(running, board)
    voting.cast_vote(item_id=running["item"].pk, actor=board["qa"], choice="approve")
    voting.cast_vote(item_id=running["item"].pk, actor=board["operations"], choice="reject")
    voting.cast_vote(item_id=running["item"].pk, actor=board["engineering"], choice="abstain")
    decision = voting.record_decision(item_id=running["item"].pk, actor=board["chair"], outcome="reject",
                                      reason="Chair's casting vote: too close to the freeze")
    assert decision.tally["tie_broken_by_chair"] is True
    running["slot"].refresh_from_db()
    assert running["slot"].status == "rejected"


def test_only_the_chair_decides(running, board):
    quorate(running, board)
    with pytest.raises(PermissionDenied, match="chair"):
        voting.record_decision(item_id=running["item"].pk, actor=board["qa"], outcome="approve")


def test_no_decision_before_the_meeting_starts(frozen, board, requester):
    change = support.high_risk_in_approval(requester)
    meeting = support.make_meeting()
    generate_agenda(meeting_id=meeting.pk)
    item = meeting.items.get(change=change, needs_decision=True)
    with pytest.raises(Conflict, match="start it first"):
        voting.record_decision(item_id=item.pk, actor=board["chair"], outcome="defer", reason="x")


def test_a_second_decision_on_the_same_item_is_a_conflict(running, board):
    quorate(running, board)
    voting.cast_vote(item_id=running["item"].pk, actor=board["qa"], choice="approve")
    voting.record_decision(item_id=running["item"].pk, actor=board["chair"], outcome="approve")
    with pytest.raises(Conflict, match="already decided"):
        voting.record_decision(item_id=running["item"].pk, actor=board["deputy_chair"], outcome="approve")
    assert Decision.objects.count() == 1


def test_a_refused_slot_decision_leaves_no_cab_decision_behind(running, board):
    """The chair who already filled another slot on the change may not fill the CAB one
    (approvals' separation of duties): the CAB decision rolls back with it."""
    running["slot"].change.approval_slots.filter(role="manager").update(decided_by=board["chair"])
    quorate(running, board)
    voting.cast_vote(item_id=running["item"].pk, actor=board["qa"], choice="approve")
    with pytest.raises(PermissionDenied, match="two approval slots"):
        voting.record_decision(item_id=running["item"].pk, actor=board["chair"], outcome="approve")
    assert not Decision.objects.exists()
    assert not LedgerEntry.objects.filter(action="cab.decided").exists()


def test_ended_meeting_takes_no_more_decisions(running, board):
    end_meeting(meeting_id=running["meeting"].pk, actor=board["chair"])
    with pytest.raises(Conflict, match="ended"):
        voting.record_decision(item_id=running["item"].pk, actor=board["chair"], outcome="defer", reason="late")


@pytest.mark.django_db(transaction=True)
def test_two_chairs_deciding_at_once_exactly_one_wins(requester, peer, peer2, manager, security, cab_chair,
                                                      cab_member, frozen):
    if connection.vendor != "postgresql":
        pytest.skip("Row locks race only on PostgreSQL; SQLite serializes writers (covered by the test above)")
    members = support.seat_board(cab_chair, cab_member)
    change = support.high_risk_in_approval(requester)
    slot = support.grant_all_but_cab(change, peer, peer2, manager, security)
    meeting = support.make_meeting()
    generate_agenda(meeting_id=meeting.pk)
    start_meeting(meeting_id=meeting.pk, actor=members["chair"])
    support.attend(meeting, members["chair"], members["chair"], members["deputy_chair"], members["qa"],
                   members["operations"])
    item = meeting.items.get(slot=slot)
    voting.cast_vote(item_id=item.pk, actor=members["qa"], choice="approve")
    barrier = threading.Barrier(2)
    results = []

    def decide_as(user):
        from django.db import connection as thread_connection

        barrier.wait()
        try:
            voting.record_decision(item_id=item.pk, actor=user, outcome="approve")
            results.append("won")
        except Conflict as exc:
            results.append(f"conflict: {exc}")
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=decide_as, args=(m,)) for m in (members["chair"], members["deputy_chair"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.split(":")[0] for r in results) == ["conflict", "won"]
    assert Decision.objects.filter(item=item).count() == 1
    assert LedgerEntry.objects.filter(action="cab.decided").count() == 1
