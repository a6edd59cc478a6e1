"""The inbox and notification emails: every page shows the unread count, opening a notification
marks it read and goes to its page, and each person chooses email per kind."""
import pytest
from django.urls import reverse

from changemgmt.models import Notification, NotificationKind
from changemgmt.notifications import mail, selectors, services
from changemgmt.notifications.tasks import send_notification_emails
from tests.support import factories as f


def login(client, user):
    client.login(username=user.username, password=f.PASSWORD)
    return client


def note(user, **extra):
    fields = {"kind": NotificationKind.SLA_REMINDER,
              "title": "CHG-000001: peer review approval due in 5 business hours",
              "body": "Upgrade payments API", "url": "/changes/1/", "due_at": f.NOW}
    fields.update(extra)
    return services.notify(user=user, **fields)


def test_every_page_shows_the_unread_count(client, peer, frozen):
    note(peer)
    note(peer)
    response = login(client, peer).get(reverse("dashboard"))
    assert 'aria-label="unread notifications">2</span>' in response.content.decode()


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(client, peer):
    item = note(peer)
    response = login(client, peer).post(reverse("inbox:open", args=[item.pk]))
    assert response.status_code == 303 and response["Location"] == "/changes/1/"
    assert Notification.objects.get(pk=item.pk).read_at is not None
    assert selectors.unread_count(peer) == 0


def test_nobody_opens_someone_elses_notification(client, peer, peer2):
    item = note(peer2)
    assert login(client, peer).post(reverse("inbox:open", args=[item.pk])).status_code == 404
    assert Notification.objects.get(pk=item.pk).read_at is None


def test_an_offsite_link_is_never_followed(client, peer):
    item = note(peer, url="https://evil.example.com/")
    response = login(client, peer).post(reverse("inbox:open", args=[item.pk]))
    assert response["Location"] == reverse("inbox:list")


def test_inbox_lists_only_my_notifications_escaped(client, peer, peer2):
    note(peer, title="<script>alert(1)</script>")
    note(peer2, title="Not for bob")
    body = login(client, peer).get(reverse("inbox:list")).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "Not for bob" not in body


def test_mark_all_read(client, peer):
    note(peer)
    note(peer)
    login(client, peer).post(reverse("inbox:read-all"))
    assert selectors.unread_count(peer) == 0


def test_a_user_without_a_role_has_no_inbox(client, outsider):
    assert login(client, outsider).get(reverse("inbox:list")).status_code == 403


def test_email_is_sent_after_commit_once(peer, mailoutbox, django_capture_on_commit_callbacks, frozen):
    with django_capture_on_commit_callbacks(execute=True):
        item = note(peer)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["bob@example.com"]
    assert "http://127.0.0.1:8000/changes/1/" in mailoutbox[0].body
    assert send_notification_emails([item.pk]) == 0  # a second run sends nothing
    assert len(mailoutbox) == 1


def test_email_can_be_turned_off_per_kind(client, peer, mailoutbox, django_capture_on_commit_callbacks):
    login(client, peer).post(reverse("inbox:preferences"), {"email": [NotificationKind.APPROVAL_REQUESTED]})
    with django_capture_on_commit_callbacks(execute=True):
        note(peer, kind=NotificationKind.SLA_REMINDER)
        note(peer, kind=NotificationKind.APPROVAL_REQUESTED)
    assert len(mailoutbox) == 1
    assert selectors.unread_count(peer) == 2  # the inbox still has both
    page = client.get(reverse("inbox:preferences")).content.decode()
    assert 'value="approval_requested" checked' in page
    assert 'value="sla_reminder" checked' not in page


@pytest.mark.parametrize("kind", NotificationKind.values)
def test_every_kind_has_an_email_template(kind, peer, frozen):
    subject, body = mail.render_email(note(peer, kind=kind))
    assert subject.startswith("[changemgmt] ")
    assert "/changes/1/" in body


def test_a_failed_send_is_retried_by_the_next_run(peer, mailoutbox, monkeypatch):
    item = note(peer)

    def broken(*args, **kwargs):
        raise OSError("SMTP down")

    monkeypatch.setattr(mail, "deliver", broken)
    assert send_notification_emails([item.pk]) == 0
    monkeypatch.undo()
    assert send_notification_emails([item.pk]) == 1
    assert len(mailoutbox) == 1
