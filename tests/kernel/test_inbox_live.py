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


def test_the_header_counter_polls_and_is_swapped_when_the_inbox_moves(client, requester):
    """Every page's header counter polls /inbox/unread/ with the inbox's version: 204 while nothing
    moved, else the counter again (with the new version to poll with)."""
    client.force_login(requester)
    version = inbox_version(requester)
    page = client.get("/changes/").content.decode()
    poll = f"/inbox/unread/?since={version}"
    assert f'hx-get="{poll}"' in page and 'aria-label="unread notifications">0</span>' in page
    assert client.get(poll, headers=HX).status_code == 204
    notify(user=requester, kind=NotificationKind.MENTIONED, title="Bob mentioned you on CHG-000001")
    moved = client.get(poll, headers=HX)
    counter = moved.content.decode()
    assert moved.status_code == 200 and 'id="unread-count"' in counter
    assert 'aria-label="unread notifications">1</span>' in counter
    assert f"since={inbox_version(requester)}" in counter and inbox_version(requester) != version
    client.post("/inbox/read-all/")
    assert 'notifications">0</span>' in client.get(f"/inbox/unread/?since={inbox_version(requester)}x",
                                                    headers=HX).content.decode()


def test_only_a_member_polls_the_counter(client, outsider):
    """An account without a role may not open the inbox, so its header counter does not poll."""
    client.force_login(outsider)
    refused = client.get("/changes/")
    assert refused.status_code == 403 and 'aria-label="unread notifications">0</span>' in refused.content.decode()
    assert "/inbox/unread/" not in refused.content.decode()
    assert client.get("/inbox/unread/", headers=HX).status_code == 403
