"""Your calendar feed secret over the API: issued once in plain (only its hash is stored), revoking the
previous one, and revoked on request, one ledger entry each (changes.calendar.services)."""
from urllib.parse import urlparse

import pytest
from django.test import Client

from changemgmt.models import LedgerEntry
from changes.calendar.models import CalendarFeedToken
from changes.calendar.services import hash_feed_secret
from tests.support.api import authenticated, client_for

pytestmark = pytest.mark.django_db


def _last_action() -> str:
    return LedgerEntry.objects.order_by("-seq").values_list("action", flat=True).first()


def test_the_secret_is_answered_once_and_its_url_serves_the_feed(requester):
    client = authenticated(requester)
    issued = client.post("/api/calendar/feed-secrets/")
    assert issued.status_code == 201 and _last_action() == "calendar.feed_token_issued"
    secret, url = issued.json()["secret"], issued.json()["url"]
    assert CalendarFeedToken.objects.get(user=requester).token_hash == hash_feed_secret(secret)
    assert Client().get(urlparse(url).path).status_code == 200
    listed = client.get("/api/calendar/feed-secrets/").json()["results"]
    assert len(listed) == 1 and listed[0]["active"] is True and "secret" not in listed[0]


def test_issuing_again_revokes_the_previous_secret(requester):
    client = authenticated(requester)
    first = urlparse(client.post("/api/calendar/feed-secrets/").json()["url"]).path
    client.post("/api/calendar/feed-secrets/")
    assert Client().get(first).status_code == 404
    assert [row["active"] for row in client.get("/api/calendar/feed-secrets/").json()["results"]] == [True, False]


def test_revoking_closes_the_url_and_is_in_the_ledger(requester):
    client = authenticated(requester)
    url = urlparse(client.post("/api/calendar/feed-secrets/").json()["url"]).path
    assert client.post("/api/calendar/feed-secrets/revoke/").json() == {"revoked": 1}
    assert _last_action() == "calendar.feed_token_revoked" and Client().get(url).status_code == 404
    entries = LedgerEntry.objects.count()
    assert client.post("/api/calendar/feed-secrets/revoke/").json() == {"revoked": 0}
    assert LedgerEntry.objects.count() == entries


def test_a_user_without_role_gets_no_secret(outsider):
    response = client_for(outsider).post("/api/calendar/feed-secrets/")
    assert response.status_code == 403 and not CalendarFeedToken.objects.exists()
