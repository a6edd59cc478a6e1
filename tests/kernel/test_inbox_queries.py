"""The inbox and the header's live counter cost a fixed number of queries, whatever the inbox holds:
the session, the user (with its roles and inbox state), and the inbox's rows with their total."""
from django.db import connection
from django.test.utils import CaptureQueriesContext

from changemgmt.models import NotificationKind
from changemgmt.notifications import selectors, services
from changemgmt.notifications.services import Message

HX = {"HX-Request": "true"}


def fill(user, count):
    services.notify_many([Message(user.pk, NotificationKind.MENTIONED, f"Note {i}", body="a\nb")
                          for i in range(count)])


def queries(client, url, **extra):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, **extra).status_code in (200, 204)
    return len(captured)


def test_the_inbox_costs_two_queries_at_any_size(client, requester):
    client.force_login(requester)
    fill(requester, 3)
    small = [queries(client, "/inbox/"), queries(client, "/inbox/preferences/")]
    fill(requester, 117)  # three pages
    services.mark_read(user=requester, notification_id=selectors.inbox_page(requester, 1).object_list[0]["id"])
    large = [queries(client, "/inbox/"), queries(client, "/inbox/?page=2"), queries(client, "/inbox/preferences/")]
    assert small == [2, 2] and large == [2, 2, 2]  # the session with its user, roles and inbox state; rows + total
    page = client.get("/inbox/?page=3").content.decode()
    assert "Note 0" in page and 'aria-label="unread notifications">119</span>' in page


def test_the_header_counter_poll_costs_one_query_the_session_with_its_user(client, requester):
    client.force_login(requester)
    fill(requester, 2)
    version = selectors.inbox_version(requester)
    assert queries(client, f"/inbox/unread/?since={version}", headers=HX) == 1
    fill(requester, 40)
    assert queries(client, f"/inbox/unread/?since={version}", headers=HX) == 1


def test_a_page_past_the_end_shows_the_last_page_as_before(client, requester):
    client.force_login(requester)
    fill(requester, 60)
    for asked in ("9", "0", "-1"):
        page = selectors.inbox_page(requester, asked)
        assert page.number == 2 and len(page.object_list) == 10 and page.paginator.count == 60
    assert selectors.inbox_page(requester, "x").number == 1
    assert selectors.inbox_page(requester, None).paginator.num_pages == 2
