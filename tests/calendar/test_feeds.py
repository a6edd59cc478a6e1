"""iCalendar feeds: a secret per-user URL (revocable, 404 when wrong) and per-service feeds; every
feed parses with `icalendar`, times are UTC, UIDs are stable, SEQUENCE follows reschedules."""
from datetime import UTC, datetime

import pytest

from changemgmt.models import LedgerEntry
from changes import services
from changes.calendar import feeds
from changes.calendar import services as calendar_services
from changes.calendar.models import Freeze
from tests.support import factories as f
from tests.support.calendar import parse

NY = f.NY


@pytest.fixture
def secret(requester):
    _token, plain = calendar_services.issue_feed_token(actor=requester)
    return plain


def test_user_feed_lists_changes_and_freezes_in_utc(frozen, client, requester, secret):
    change = services.create_change(actor=requester, data=f.complete_fields())
    Freeze.objects.create(name="Migration", reason="DC move", kind="hard",
                          starts_at=datetime(2026, 12, 2, 0, 0, tzinfo=NY),
                          ends_at=datetime(2026, 12, 3, 0, 0, tzinfo=NY))
    response = client.get(f"/calendar/feeds/{secret}.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    events = parse(response.content)
    event = events[f"change-{change.pk}@127.0.0.1"]
    assert event["start"] == datetime(2026, 12, 1, 11, 0, tzinfo=UTC)
    assert event["end"] == datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    assert event["sequence"] == 0 and event["status"] == "CONFIRMED"
    assert change.reference in event["summary"]
    freezes = [e for uid, e in events.items() if uid.startswith("freeze-")]
    assert any(e["summary"] == "Hard freeze: Migration" for e in freezes)
    assert any("Thanksgiving" in e["summary"] for e in freezes)  # recurring freezes too


def test_reschedule_keeps_the_uid_and_bumps_sequence_and_cancel_is_cancelled(frozen, client, requester, secret):
    change = services.create_change(actor=requester, data=f.complete_fields())
    uid = f"change-{change.pk}@127.0.0.1"
    services.update_change(change_id=change.pk, actor=requester, data={
        "planned_start": datetime(2026, 12, 2, 6, 0, tzinfo=NY).isoformat(),
        "planned_end": datetime(2026, 12, 2, 7, 0, tzinfo=NY).isoformat()})
    event = parse(client.get(f"/calendar/feeds/{secret}.ics").content)[uid]
    assert event["sequence"] == 1 and event["start"] == datetime(2026, 12, 2, 11, 0, tzinfo=UTC)
    services.run_transition(change_id=change.pk, name="cancel", actor=requester, data={"reason": "Not needed"})
    event = parse(client.get(f"/calendar/feeds/{secret}.ics").content)[uid]
    assert event["status"] == "CANCELLED"


def test_service_feed_has_only_that_services_changes(frozen, client, requester, secret):
    payments = services.create_change(actor=requester, data=f.complete_fields())
    search_service = f.make_service("search")
    search = services.create_change(actor=requester, data=f.complete_fields(services=[search_service.pk]))
    events = parse(client.get(f"/calendar/feeds/{secret}/services/{search_service.pk}.ics").content)
    assert f"change-{search.pk}@127.0.0.1" in events and f"change-{payments.pk}@127.0.0.1" not in events


def test_wrong_revoked_or_roleless_secrets_are_plain_404s(frozen, client, requester, secret):
    assert client.get("/calendar/feeds/not-a-token.ics").status_code == 404
    assert client.get(f"/calendar/feeds/{secret}/services/999999.ics").status_code == 404
    calendar_services.revoke_feed_token(actor=requester)
    response = client.get(f"/calendar/feeds/{secret}.ics")
    assert response.status_code == 404 and b"revoked" not in response.content.lower()
    assert LedgerEntry.objects.filter(action="calendar.feed_token_revoked").count() == 1


def test_issuing_a_new_secret_revokes_the_old_one(frozen, client, requester, secret):
    _token, fresh = calendar_services.issue_feed_token(actor=requester)
    assert client.get(f"/calendar/feeds/{secret}.ics").status_code == 404
    assert client.get(f"/calendar/feeds/{fresh}.ics").status_code == 200


def test_a_user_who_loses_every_role_loses_the_feed(frozen, client, requester, secret):
    requester.groups.clear()
    assert client.get(f"/calendar/feeds/{secret}.ics").status_code == 404


def test_other_apps_add_events_through_the_registered_source(frozen, client, requester, secret):
    """The extension point the CAB uses for its meetings."""
    def meetings(*, start, end, service_id):
        yield feeds.FeedEvent(uid="cab-meeting-1@127.0.0.1", summary="CAB weekly",
                              start=datetime(2026, 12, 2, 15, 0, tzinfo=UTC),
                              end=datetime(2026, 12, 2, 16, 0, tzinfo=UTC))

    feeds.register_source(meetings)
    try:
        events = parse(client.get(f"/calendar/feeds/{secret}.ics").content)
    finally:
        feeds._sources.remove(meetings)
    assert events["cab-meeting-1@127.0.0.1"]["summary"] == "CAB weekly"


def test_subscription_page_shows_the_secret_once_and_revokes(frozen, client, requester):
    client.force_login(requester)
    response = client.post("/calendar/subscribe/", {"action": "issue"})
    assert response.status_code == 200 and b"/calendar/feeds/" in response.content
    assert b"/calendar/feeds/" not in client.get("/calendar/subscribe/").content
    client.post("/calendar/subscribe/", {"action": "revoke"})
    assert not requester.calendar_feed_tokens.filter(revoked_at__isnull=True).exists()


def test_users_without_a_role_cannot_subscribe(client, outsider):
    client.force_login(outsider)
    assert client.post("/calendar/subscribe/", {"action": "issue"}).status_code == 403
