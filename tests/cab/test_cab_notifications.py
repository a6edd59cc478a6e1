"""CAB mail also lands in the in-app inbox: invitations, published minutes and action-item
reminders give every recipient one inbox row, whether or not they get the email; people who turn
a CAB kind's email off keep the inbox row; nothing is emailed twice."""
from datetime import date

import pytest

from cab import tasks
from cab.models import ActionItem
from cab.services import minutes
from cab.services.meetings import end_meeting, start_meeting
from changemgmt.models import Notification, NotificationKind
from changemgmt.notifications import services as notifications
from tests.support import cab as support


def inbox(kind):
    return Notification.objects.filter(kind=kind)


def test_every_member_finds_the_invitation_in_the_inbox_and_one_email(frozen, board, mailoutbox,
                                                                      django_capture_on_commit_callbacks):
    meeting = support.make_meeting()
    people = {u.pk for u in board.values()}
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_invitations(meeting.pk) == len(people)
    rows = inbox(NotificationKind.CAB_INVITATION)
    assert {row.user_id for row in rows} == people and rows.count() == len(people)
    assert {row.url for row in rows} == {f"/cab/meetings/{meeting.pk}/"}
    assert all(row.due_at == meeting.starts_at and row.emailed_at for row in rows)
    # One email each, through the one mail path, with the .ics attached and the CAB template's text.
    assert len(mailoutbox) == len(people) and all(m.attachments for m in mailoutbox)
    assert all("The agenda, and your vote on each item" in m.body for m in mailoutbox)
    assert tasks.send_invitations(meeting.pk) == 0 and rows.count() == len(people)


def test_turning_invitation_email_off_keeps_the_inbox_row(frozen, board, mailoutbox):
    notifications.set_email_preferences(user=board["qa"], enabled_kinds=set(NotificationKind.values)
                                        - {NotificationKind.CAB_INVITATION})
    meeting = support.make_meeting()
    tasks.send_invitations(meeting.pk)
    assert board["qa"].email not in {m.to[0] for m in mailoutbox}
    assert inbox(NotificationKind.CAB_INVITATION).filter(user=board["qa"]).count() == 1


def test_published_minutes_reach_every_inbox(frozen, board, mailoutbox, django_capture_on_commit_callbacks):
    chair = board["chair"]
    meeting = support.make_meeting()
    start_meeting(meeting_id=meeting.pk, actor=chair)
    end_meeting(meeting_id=meeting.pk, actor=chair)
    with django_capture_on_commit_callbacks(execute=True):
        minutes.publish(meeting_id=meeting.pk, actor=chair)
    rows = inbox(NotificationKind.CAB_MINUTES)
    assert {row.user_id for row in rows} == {u.pk for u in board.values()}
    assert {row.url for row in rows} == {f"/cab/meetings/{meeting.pk}/minutes/"}
    assert meeting.title in rows[0].title


@pytest.mark.parametrize("email_on", [True, False])
def test_action_owners_find_reminders_in_the_inbox_once_a_day(frozen, board, mailoutbox, email_on,
                                                             django_capture_on_commit_callbacks):
    owner = board["qa"]
    if not email_on:
        notifications.set_email_preferences(user=owner, enabled_kinds=set())
    ActionItem.objects.create(title="Runbook", owner=owner, due_on=date(2026, 11, 24), created_by=board["chair"])
    with django_capture_on_commit_callbacks(execute=True):  # mail goes out after commit
        tasks.remind_action_items()
        tasks.remind_action_items()
    [row] = inbox(NotificationKind.CAB_ACTION_REMINDER)
    assert row.user_id == owner.pk and "Runbook" in row.title and row.url == "/cab/actions/"
    assert len(mailoutbox) == (1 if email_on else 0)
