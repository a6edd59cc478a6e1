"""The inbox over the API: your own notifications only, read marks and e-mail switches through the
same services as the inbox pages (which keep them out of the ledger: they change no change record)."""
import pytest

from changemgmt.models import LedgerEntry, Notification, NotificationKind
from changemgmt.notifications import notify, selectors
from tests.support.api import authenticated, client_for, post_json

pytestmark = pytest.mark.django_db
KIND = NotificationKind.APPROVAL_REQUESTED


def test_lists_and_reads_only_your_own_notifications(requester, peer):
    mine = notify(user=requester, kind=KIND, title="Please approve")
    theirs = notify(user=peer, kind=KIND, title="Not yours")
    client = authenticated(requester)
    listed = client.get("/api/inbox/").json()
    assert [row["id"] for row in listed["results"]] == [mine.pk] and listed["results"][0]["unread"] is True
    assert client.get(f"/api/inbox/{mine.pk}/").json()["title"] == "Please approve"
    assert client.get(f"/api/inbox/{theirs.pk}/").status_code == 404


def test_marking_one_read_writes_its_read_time_and_no_ledger_entry(requester, peer):
    mine = notify(user=requester, kind=KIND, title="One")
    theirs = notify(user=peer, kind=KIND, title="Two")
    ledger = LedgerEntry.objects.count()
    client = authenticated(requester)
    response = client.post(f"/api/inbox/{mine.pk}/read/")
    assert response.status_code == 200 and response.json()["unread"] is False
    assert client.post(f"/api/inbox/{theirs.pk}/read/").status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert LedgerEntry.objects.count() == ledger


def test_read_all_marks_every_unread_notification(requester):
    for title in ("a", "b"):
        notify(user=requester, kind=KIND, title=title)
    response = authenticated(requester).post("/api/inbox/read-all/")
    assert response.json() == {"marked": 2}
    assert selectors.unread_count(requester) == 0


def test_preferences_list_every_kind_and_switch_one(requester):
    client = authenticated(requester)
    rows = client.get("/api/inbox/preferences/").json()
    assert [row["kind"] for row in rows] == NotificationKind.values and all(row["email"] for row in rows)
    response = client.put(f"/api/inbox/preferences/{KIND}/", {"email": False}, format="json")
    assert response.status_code == 200 and response.json()["email"] is False
    assert selectors.email_preferences(requester)[KIND] is False
    assert sum(selectors.email_preferences(requester).values()) == len(NotificationKind.values) - 1
    assert client.get(f"/api/inbox/preferences/{KIND}/").json()["email"] is False


def test_bad_preference_body_names_the_field_and_writes_nothing(requester):
    response = authenticated(requester).put(f"/api/inbox/preferences/{KIND}/", {"email": "maybe"}, format="json")
    assert response.status_code == 400 and "email" in response.json()
    assert selectors.email_preferences(requester)[KIND] is True
    assert authenticated(requester).put("/api/inbox/preferences/nope/", {"email": False},
                                        format="json").status_code == 404


def test_a_user_without_role_is_refused(outsider):
    notify(user=outsider, kind=KIND, title="x")
    client = client_for(outsider)
    assert client.get("/api/inbox/").status_code == 403
    assert post_json(client, "/api/inbox/read-all/", {}).status_code == 403
    assert selectors.unread_count(outsider) == 1
