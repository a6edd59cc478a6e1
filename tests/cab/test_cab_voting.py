"""Voting on a CAB item: who may vote, one vote per member, changing it, recusal, closed items."""
import pytest
from django.core.exceptions import PermissionDenied

from cab.models import Vote
from cab.services import voting
from cab.services.agenda import generate_agenda
from cab.services.meetings import start_meeting
from changemgmt.errors import Conflict
from changemgmt.models import LedgerEntry
from tests.support import cab as support


@pytest.fixture
def item(frozen, board, requester):
    change = support.high_risk_in_approval(requester)
    meeting = support.make_meeting()
    generate_agenda(meeting_id=meeting.pk)
    return meeting.items.get(change=change, needs_decision=True)


def test_member_votes_before_the_meeting_and_the_vote_is_ledgered(item, board):
    vote = voting.cast_vote(item_id=item.pk, actor=board["qa"], choice="approve", comment="Tested well")
    assert (vote.choice, vote.comment) == ("approve", "Tested well")
    entry = LedgerEntry.objects.filter(action="cab.vote_cast").last()
    assert entry.payload["choice"] == "approve" and entry.actor_name == "quinn"


def test_someone_off_the_board_cannot_vote(item, peer, auditor):
    for person in (peer, auditor):
        with pytest.raises(PermissionDenied, match="Only members of the Change Advisory Board"):
            voting.cast_vote(item_id=item.pk, actor=person, choice="approve")
    assert not Vote.objects.exists()


def test_voting_twice_is_refused_but_changing_the_vote_is_allowed(item, board):
    voting.cast_vote(item_id=item.pk, actor=board["qa"], choice="approve")
    with pytest.raises(Conflict, match="change your vote instead"):
        voting.cast_vote(item_id=item.pk, actor=board["qa"], choice="reject")
    assert Vote.objects.get().choice == "approve"
    voting.change_vote(item_id=item.pk, actor=board["qa"], choice="reject", comment="Rollback untested")
    vote = Vote.objects.get()
    assert (vote.choice, vote.comment) == ("reject", "Rollback untested") and vote.changed_at
    assert LedgerEntry.objects.filter(action="cab.vote_changed").last().payload["from"]["choice"] == "approve"


def test_changing_a_vote_never_cast_is_refused(item, board):
    with pytest.raises(Conflict, match="not voted"):
        voting.change_vote(item_id=item.pk, actor=board["qa"], choice="reject")


def test_author_or_owner_of_the_change_is_recused(frozen, board, requester):
    support.seat(requester, "business", deputy=True)
    change = support.high_risk_in_approval(requester)
    meeting = support.make_meeting()
    generate_agenda(meeting_id=meeting.pk)
    item = meeting.items.get(change=change, needs_decision=True)
    with pytest.raises(PermissionDenied, match="recused"):
        voting.cast_vote(item_id=item.pk, actor=requester, choice="approve")
    assert not Vote.objects.exists()


def test_information_items_take_no_vote(item, board):
    info = item.meeting.items.filter(needs_decision=False).first()
    with pytest.raises(PermissionDenied, match="for information"):
        voting.cast_vote(item_id=info.pk, actor=board["qa"], choice="approve")


def test_voting_on_a_decided_item_is_refused(item, board):
    chair = board["chair"]
    start_meeting(meeting_id=item.meeting_id, actor=chair)
    voting.cast_vote(item_id=item.pk, actor=board["qa"], choice="approve")
    support.attend(item.meeting, chair, chair, board["qa"], board["operations"], board["engineering"])
    voting.record_decision(item_id=item.pk, actor=chair, outcome="defer", reason="Waiting for the load test")
    with pytest.raises(Conflict, match="decided"):
        voting.change_vote(item_id=item.pk, actor=board["qa"], choice="reject")
    with pytest.raises(Conflict, match="decided"):
        voting.cast_vote(item_id=item.pk, actor=board["engineering"], choice="reject")
    assert Vote.objects.count() == 1


def test_bad_choice_is_a_field_error(item, board):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        voting.cast_vote(item_id=item.pk, actor=board["qa"], choice="maybe")
    assert "choice" in error.value.message_dict
