"""Minutes: publication freezes the record (attendance, votes, decisions, action items), every
later change is refused and logged, members get them by email, and they are kept 3 years."""
from datetime import date

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory

from cab.models import Minutes
from cab.services import actions, minutes, voting
from cab.services.agenda import generate_agenda
from cab.services.meetings import end_meeting, record_attendance, start_meeting
from changemgmt.errors import Conflict
from changemgmt.models import LedgerEntry
from tests.support import cab as support


@pytest.fixture
def held(frozen, board, requester):
    chair = board["chair"]
    change = support.high_risk_in_approval(requester)
    meeting = support.make_meeting()
    generate_agenda(meeting_id=meeting.pk)
    start_meeting(meeting_id=meeting.pk, actor=chair)
    support.attend(meeting, chair, chair, board["qa"], board["operations"])
    item = meeting.items.get(change=change, needs_decision=True)
    voting.cast_vote(item_id=item.pk, actor=board["qa"], choice="approve", comment="Evidence is solid")
    voting.record_decision(item_id=item.pk, actor=chair, outcome="defer", reason="Awaiting load test")
    actions.create(actor=chair, title="Run the load test", owner=board["qa"], due_on=date(2026, 11, 30),
                   meeting_id=meeting.pk, change_id=change.pk)
    minutes.update_notes(meeting_id=meeting.pk, actor=chair, notes="Short meeting.")
    end_meeting(meeting_id=meeting.pk, actor=chair)
    return meeting, item


def test_published_minutes_record_attendance_votes_decisions_and_actions(held, board, mailoutbox,
                                                                        django_capture_on_commit_callbacks):
    meeting, _item = held
    with django_capture_on_commit_callbacks(execute=True):
        record = minutes.publish(meeting_id=meeting.pk, actor=board["chair"])
    body = record.body
    assert "carol (carol), Chair / release manager: present" in body.lower() or "(carol), Chair" in body
    assert "bea (bea), Business representative: absent" in body.lower() or "(bea), Business" in body
    assert "- quinn: approve — Evidence is solid" in body
    assert "Decision: **Deferred to the next meeting** by carol" in body and "Reason: Awaiting load test" in body
    assert "Run the load test (owner quinn, due 2026-11-30)" in body
    assert "Short meeting." in body
    assert record.retain_until == date(2029, 11, 23)
    # (The mail task also sends what the set-up left unmailed: keep the minutes' own mails.)
    sent = [m for m in mailoutbox if m.subject.startswith("[changemgmt] Minutes published")]
    assert sorted(m.to[0] for m in sent) == sorted(f"{u.username}@example.com" for u in board.values())
    assert all(m.attachments[0][0].endswith(".md") for m in sent)
    assert LedgerEntry.objects.filter(action="cab.minutes_published").last().payload["sha256"] == record.body_sha256


def test_publishing_needs_the_meeting_ended(frozen, board):
    meeting = support.make_meeting()
    with pytest.raises(Conflict, match="End the meeting"):
        minutes.publish(meeting_id=meeting.pk, actor=board["chair"])


def test_published_minutes_cannot_be_changed_and_every_attempt_is_logged(held, board, caplog):
    meeting, item = held
    chair = board["chair"]
    minutes.publish(meeting_id=meeting.pk, actor=chair)
    body = Minutes.objects.get(meeting=meeting).body
    attempts = [
        lambda: minutes.update_notes(meeting_id=meeting.pk, actor=chair, notes="Rewritten"),
        lambda: minutes.publish(meeting_id=meeting.pk, actor=chair),
        lambda: voting.change_vote(item_id=item.pk, actor=board["qa"], choice="reject"),
        lambda: record_attendance(meeting_id=meeting.pk, actor=chair, present_user_ids=[]),
        lambda: actions.create(actor=chair, title="Sneaky", kind="concern", meeting_id=meeting.pk),
    ]
    for attempt in attempts:
        with pytest.raises(Conflict, match="published"):
            attempt()
    assert Minutes.objects.get(meeting=meeting).body == body
    # A refusal writes nothing, not even a ledger entry: the attempts are in the log.
    assert not LedgerEntry.objects.filter(action="cab.published_edit_refused").exists()
    refused = [r.getMessage() for r in caplog.records if r.name == "cab.refused"]
    assert len(refused) == len(attempts) and "edit minutes notes" in refused[0]


def test_admin_shows_published_minutes_read_only(held, board, admin_user):
    meeting, _item = held
    record = minutes.publish(meeting_id=meeting.pk, actor=board["chair"])
    request = RequestFactory().get("/")
    request.user = admin_user
    model_admin = site._registry[Minutes]
    assert not model_admin.has_change_permission(request, record)
    assert not model_admin.has_delete_permission(request, record)


def test_action_item_owner_closes_it_and_others_cannot(held, board):
    from django.core.exceptions import PermissionDenied

    from cab.models import ActionItem

    action = ActionItem.objects.get()
    with pytest.raises(PermissionDenied):
        actions.set_status(action_id=action.pk, actor=board["business"], status="done")
    actions.set_status(action_id=action.pk, actor=board["qa"], status="done")
    action.refresh_from_db()
    assert action.status == "done" and action.closed_at
