"""Every notification is mailed exactly once as its reader sees it, whatever fails on the way: a
claim left by a dead worker expires and the row is retried; a re-send carries the same Message-ID;
CAB invitations and minutes whose queued task was lost are found again by the beat sweep; only
work that exists is queued. (The same with real workers, brokers and databases:
test_redis_worker_faults.py.)"""
from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from cab import tasks as cab_tasks
from cab.choices import MeetingKind, MeetingStatus, Seat
from cab.models import BoardMember, Meeting, Minutes
from changemgmt import events, outbox
from changemgmt.celery import app
from changemgmt.models import Notification, NotificationKind, OutboxEvent
from changemgmt.notifications import mail, services
from changemgmt.notifications.tasks import send_notification_emails
from changemgmt.roles import Role
from changemgmt.tasks import deliver_outbox
from tests.support import factories as f


def note(user, title="CHG-1: approval requested"):
    return services.notify(user=user, kind=NotificationKind.APPROVAL_REQUESTED, title=title, url="/changes/1/")


@pytest.fixture
def board(cab_chair, cab_member):
    qa = f.make_user("quinn", Role.CAB_MEMBER, team="QA")
    for user, seat in [(cab_chair, Seat.CHAIR), (cab_member, Seat.OPERATIONS), (qa, Seat.QA)]:
        BoardMember.objects.create(user=user, seat=seat)
    return [cab_chair, cab_member, qa]


def meeting(start=None, **fields):
    start = start or f.NOW + timedelta(days=1)
    return Meeting.objects.create(kind=MeetingKind.REGULAR, title=f"Weekly CAB {start:%Y-%m-%d}", starts_at=start,
                                  ends_at=start + timedelta(hours=1), **fields)


def test_a_mail_claimed_by_a_worker_that_died_is_sent_once_its_claim_expires(frozen, peer, mailoutbox):
    item = note(peer)
    token, claimed = mail._claim(None)  # a worker claims the row, then is killed before sending
    assert [n.pk for n in claimed] == [item.pk]
    assert send_notification_emails() == 0  # the claim still holds: nobody else sends it meanwhile
    frozen.shift(timedelta(seconds=mail.CLAIM_SECONDS + 1))
    assert send_notification_emails() == 1
    assert send_notification_emails() == 0
    assert len(mailoutbox) == 1 and Notification.objects.get(pk=item.pk).emailed_at


def test_an_error_mid_batch_gives_the_unsent_rows_back_at_once(frozen, peer, mailoutbox, monkeypatch):
    first, second = note(peer, "one"), note(peer, "two")
    calls = []

    def dies_on_second(connection, message):
        calls.append(message)
        if len(calls) == 2:
            raise KeyboardInterrupt("worker stopping")
        connection.send_messages([message])

    monkeypatch.setattr(mail, "deliver", dies_on_second)
    with pytest.raises(KeyboardInterrupt):
        send_notification_emails()
    monkeypatch.undo()
    assert Notification.objects.get(pk=first.pk).emailed_at
    assert Notification.objects.get(pk=second.pk).claimed_by == ""  # released, not stuck for minutes
    assert send_notification_emails() == 1
    assert [m.subject for m in mailoutbox] == ["[changemgmt] one", "[changemgmt] two"]


def test_a_resent_mail_is_the_same_message_to_the_reader(peer):
    item = note(peer)
    first, again = mail.build_email(item), mail.build_email(item)
    expected = f"<notification-{item.pk}@localhost>"
    assert first.extra_headers["Message-ID"] == again.extra_headers["Message-ID"] == expected


def test_mail_is_swept_every_minute_by_beat(db):
    jobs = {job.task: job for job in PeriodicTask.objects.filter(
        task__in=["changemgmt.send_notification_emails", "cab.send_due_mail"])}
    assert set(jobs) == {"changemgmt.send_notification_emails", "cab.send_due_mail"}
    assert all((job.interval.every, job.interval.period) == (1, "minutes") for job in jobs.values())


def test_invitations_whose_task_was_lost_go_out_from_the_sweep_once(frozen, board, mailoutbox,
                                                                    django_capture_on_commit_callbacks):
    lost = meeting()  # its send_invitations task never ran (broker down when it was queued)
    past = meeting(f.NOW - timedelta(days=2), status=MeetingStatus.ENDED)
    with django_capture_on_commit_callbacks(execute=True):
        assert cab_tasks.send_due_mail() == len(board)
        assert cab_tasks.send_due_mail() == 0
    assert Meeting.objects.get(pk=lost.pk).invitations_sent_at
    assert Meeting.objects.get(pk=past.pk).invitations_sent_at is None  # nobody is invited to the past
    assert sorted(m.to[0] for m in mailoutbox) == sorted(u.email for u in board)
    name, content, mimetype = mailoutbox[0].attachments[0]
    assert name == "invite.ics" and "BEGIN:VCALENDAR" in content and mimetype.startswith("text/calendar")


def test_published_minutes_whose_task_was_lost_go_out_from_the_sweep_once(frozen, board, mailoutbox,
                                                                         django_capture_on_commit_callbacks):
    held = meeting(status=MeetingStatus.PUBLISHED, invitations_sent_at=timezone.now())
    Minutes.objects.create(meeting=held, body="# Minutes\n", published_at=timezone.now(), published_by=board[0])
    with django_capture_on_commit_callbacks(execute=True):
        assert cab_tasks.send_due_mail() == len(board)
        assert cab_tasks.send_due_mail() == 0
    assert Minutes.objects.get(meeting=held).distributed_at
    assert len(mailoutbox) == len(board)
    assert mailoutbox[0].attachments[0][0] == f"cab-minutes-{held.pk}.md"
    assert "Read or download the minutes" in mailoutbox[0].body  # templates/email/cab_minutes.txt


def test_every_event_queues_the_delivery_task_for_the_webhooks_fan_out(db, django_capture_on_commit_callbacks):
    """The webhooks' fan-out handles every topic: with no subscription it makes no delivery, and the row is
    stamped delivered."""
    with mock.patch("changemgmt.events.enqueue") as queued, django_capture_on_commit_callbacks(execute=True):
        events.publish("test.nobody_listens", change=1)
    queued.assert_called_once_with(deliver_outbox)
    row = OutboxEvent.objects.get(topic="test.nobody_listens")
    assert row.delivered_at is None
    assert deliver_outbox() >= 1
    assert OutboxEvent.objects.get(pk=row.pk).delivered_at
    assert not row.webhook_deliveries.exists()


def test_an_event_with_a_celery_handler_is_delivered_once(db, django_capture_on_commit_callbacks):
    seen = []
    outbox.on_delivery("test.handled", lambda event: seen.append(event.pk))
    try:
        with django_capture_on_commit_callbacks(execute=True):
            events.publish("test.handled", change=1)
        deliver_outbox()
    finally:
        outbox._deliverers.pop("test.handled", None)
    assert seen == [OutboxEvent.objects.get(topic="test.handled").pk]


@pytest.fixture
def queued_for_real(monkeypatch):
    """Tasks go to a broker (not run inline): record what would be queued."""
    saved, app.conf.task_always_eager = app.conf.task_always_eager, False
    sent = []
    monkeypatch.setattr(services, "enqueue", lambda task, *args, **kwargs: sent.append(task.name))
    yield sent
    app.conf.task_always_eager = saved


def test_no_second_mail_task_is_queued_while_one_waits(frozen, peer, queued_for_real,
                                                       django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        note(peer, "first")
    with django_capture_on_commit_callbacks(execute=True):
        note(peer, "second")  # the first task has not run yet: it will mail this one too
    assert queued_for_real == ["changemgmt.send_notification_emails"]
    send_notification_emails()
    with django_capture_on_commit_callbacks(execute=True):
        note(peer, "third")
    assert len(queued_for_real) == 2
