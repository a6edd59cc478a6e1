"""The inbox updates without a reload: it polls itself with `?since=<version>`, answered 204 while no
notification arrived or was read, and with the page (of which htmx keeps the list) once one did."""
from changemgmt.models import NotificationKind
from changemgmt.notifications import notify
from changemgmt.notifications.selectors import inbox_version

HX = {"HX-Request": "true"}


def test_the_inbox_poll_is_204_until_a_notification_arrives(client, requester):
    client.force_login(requester)
    version = inbox_version(requester)
    page = client.get("/inbox/").content.decode()
    assert f"since={version}" in page and 'hx-select="#inbox-live"' in page
    assert client.get("/inbox/", {"since": version}, headers=HX).status_code == 204
    notify(user=requester, kind=NotificationKind.MENTIONED, title="Bob mentioned you on CHG-000001")
    moved = client.get("/inbox/", {"since": version}, headers=HX)
    assert moved.status_code == 200 and "Bob mentioned you" in moved.content.decode()


def test_reading_moves_the_version(client, requester):
    notify(user=requester, kind=NotificationKind.MENTIONED, title="x")
    before = inbox_version(requester)
    client.force_login(requester)
    client.post("/inbox/read-all/")
    assert inbox_version(requester) != before
