"""Delivery from the outbox to a local receiver that checks every request with the standardwebhooks
library: the Standard Webhooks headers and body, retries on the back-off schedule, a receiver down then
up getting every event exactly once, automatic disabling after the policy's days of failure, manual
redelivery, and claims that keep two workers from sending one delivery at once."""
from datetime import timedelta

import pytest
from django.utils import timezone

from changemgmt import events
from changemgmt.models import LedgerEntry, OutboxEvent, WebhookDelivery
from changemgmt.webhooks import services, tasks
from changemgmt.webhooks.services import BACKOFF
from tests.support.api import authenticated
from tests.webhooks.conftest import publish, subscribe, sweep
from tests.webhooks.receiver import Receiver


@pytest.fixture
def hooked(frozen, admin_user, receiver):
    """A subscription to every event, pointing at the receiver, which knows its secret."""
    subscription = subscribe(admin_user, receiver.url)
    receiver.secret = subscription.secret
    return subscription


def test_each_event_arrives_signed_and_verifies_with_standardwebhooks(hooked, receiver):
    publish("change.submit", change_id=7, from_state="draft")
    assert sweep() == 1
    [got] = receiver.received
    event = OutboxEvent.objects.get()
    assert got.error == "" and got.webhook_id == f"msg_{event.pk}"
    assert got.payload == {"type": "change.submit", "timestamp": event.created_at.isoformat().replace("+00:00", "Z"),
                           "data": {"change_id": 7, "from_state": "draft"}}
    assert got.headers["webhook-signature"].startswith("v1,") and got.headers["Content-Type"] == "application/json"
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("delivered", 1, 204)
    assert delivery.response_ms is not None and delivery.delivered_at is not None
    assert event.__class__.objects.get().delivered_at is not None  # the outbox row is done


def test_a_published_event_is_sent_by_celery_after_commit(hooked, receiver, django_capture_on_commit_callbacks):
    """The real path: publish writes the outbox row; after commit the outbox task fans it out, and the send
    task (eager in tests) delivers it. Nothing is sent before the commit."""
    with django_capture_on_commit_callbacks(execute=True):
        events.publish("change.submit", change_id=3)
        assert receiver.received == []
    assert [item.payload["data"] for item in receiver.received] == [{"change_id": 3}]


def test_a_wrong_secret_fails_verification_at_the_receiver(hooked, receiver):
    receiver.secret = services.new_secret()
    publish()
    sweep()
    assert receiver.received[0].payload is None and "signature" in receiver.received[0].error


def test_only_matching_active_subscriptions_get_an_event(frozen, admin_user, receiver):
    changes = subscribe(admin_user, receiver.url, ["change.*"])
    exact = subscribe(admin_user, receiver.url, ["approval.slots_created"])
    publish("change.submit")
    publish("approval.slots_created", change_id=1)
    publish("freeze.announced", freeze_id=1)
    got = {(d.subscription_id, d.event.topic) for d in WebhookDelivery.objects.select_related("event")}
    assert got == {(changes.pk, "change.submit"), (exact.pk, "approval.slots_created")}
    services.disable_subscription(actor=admin_user, subscription_id=changes.pk, reason="Paused")
    publish("change.submit")
    assert WebhookDelivery.objects.count() == 2


def test_the_outbox_handing_an_event_over_twice_makes_one_delivery(hooked, receiver):
    publish()
    services.fan_out(OutboxEvent.objects.get())
    assert WebhookDelivery.objects.count() == 1


def test_a_receiver_slower_than_the_timeout_is_a_failed_attempt(hooked, receiver, monkeypatch):
    monkeypatch.setattr(tasks, "TIMEOUT_SECONDS", 0.2)
    receiver.delay = 1
    publish()
    sweep()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending" and "timed out" in delivery.last_error and delivery.response_status is None


def test_failures_are_retried_on_the_back_off_schedule(hooked, receiver, frozen):
    receiver.status = 503
    publish()
    sweep()
    delivery = WebhookDelivery.objects.get()
    for attempt, wait in enumerate(BACKOFF + (BACKOFF[-1],), start=1):
        delivery.refresh_from_db()
        assert (delivery.attempts, delivery.response_status, delivery.last_error) == (attempt, 503, "HTTP 503")
        assert delivery.next_attempt_at == delivery.last_attempt_at + wait
        frozen.shift(wait - timedelta(seconds=1))
        assert sweep() == 0  # not due yet
        frozen.shift(timedelta(seconds=1))
        assert sweep() == 1
    assert len(receiver.received) == len(BACKOFF) + 2
    receiver.status = 200
    frozen.shift(BACKOFF[-1])
    sweep()
    delivery.refresh_from_db()
    assert delivery.status == "delivered" and delivery.attempts == len(BACKOFF) + 3
    assert len({item.webhook_id for item in receiver.received}) == 1  # one webhook-id across retries


def test_a_receiver_down_then_up_gets_every_event_exactly_once_in_order(frozen, admin_user, private_allowed):
    """Down: nothing listens on its port (connection refused). Every event is kept, retried, and delivered
    once the receiver is back and each back-off is reached."""
    port = Receiver.free_port()
    first = subscribe(admin_user, f"http://127.0.0.1:{port}/hooks")
    second = subscribe(admin_user, f"http://127.0.0.1:{port}/hooks", ["change.*"])
    for change_id in range(5):
        publish(change_id=change_id)
    assert sweep() == 10
    assert set(WebhookDelivery.objects.values_list("last_error", flat=True)) == {
        "ConnectionRefusedError: [Errno 111] Connection refused"}
    frozen.shift(BACKOFF[0])
    sweep()
    receiver = Receiver(port=port, secret=first.secret, other_secrets=[second.secret], status=200).start()
    try:
        frozen.shift(BACKOFF[1])
        assert sweep() == 10
        frozen.shift(timedelta(days=1))
        assert sweep() == 0  # nothing left to send
    finally:
        receiver.stop()
    events = list(OutboxEvent.objects.values_list("pk", flat=True))
    assert len(receiver.received) == 10  # the two subscriptions have different secrets
    for subscription in (first, second):
        got = [item.webhook_id for item in receiver.received if item.signed_by == subscription.secret]
        assert got == [f"msg_{pk}" for pk in events]  # each once, in the order of the events
    assert set(WebhookDelivery.objects.values_list("status", "attempts")) == {("delivered", 3)}


def test_a_receiver_down_for_an_hour_loses_nothing_and_gets_each_event_when_its_back_off_reaches_it(
        frozen, admin_user, private_allowed):
    """The benchmark's scenario on the beat's minute: events every 10 minutes while the receiver is down
    for an hour; each arrives exactly once, at the first sweep after its back-off, never before the hour."""
    port = Receiver.free_port()
    subscription = subscribe(admin_user, f"http://127.0.0.1:{port}/hooks")
    receiver = Receiver(port=port, secret=subscription.secret)
    for minute in range(0, 181):
        if minute == 60:
            receiver.start()
        if minute < 60 and minute % 10 == 0:
            publish(change_id=minute)
        due = list(WebhookDelivery.objects.filter(status="pending").values_list("pk", "next_attempt_at"))
        now = timezone.now()
        sweep()
        for pk, next_attempt_at in due:
            if next_attempt_at <= now and minute >= 60:
                assert WebhookDelivery.objects.get(pk=pk).status == "delivered"  # sent as soon as due
        frozen.shift(timedelta(minutes=1))
    receiver.stop()
    events = OutboxEvent.objects.values_list("pk", flat=True)
    assert sorted(receiver.verified_ids) == sorted(f"msg_{pk}" for pk in events)
    assert len(receiver.received) == 6 and WebhookDelivery.objects.filter(status="delivered").count() == 6
    first = WebhookDelivery.objects.select_related("event").order_by("event_id").first()
    assert first.delivered_at - first.event.created_at == timedelta(hours=2, minutes=36)  # 0, 1, 6, 36 min, +2 h
    assert first.attempts == 5


def test_a_subscription_failing_for_the_policys_days_is_disabled(hooked, receiver, frozen, admin_user):
    receiver.status = 500
    publish()
    sweep()
    subscription = hooked
    subscription.refresh_from_db()
    failing_since = subscription.failing_since
    assert failing_since is not None
    while subscription.is_active:
        delivery = WebhookDelivery.objects.get()
        frozen.move_to(delivery.next_attempt_at)
        sweep()
        subscription.refresh_from_db()
    assert delivery.next_attempt_at - failing_since >= timedelta(days=5)
    assert delivery.next_attempt_at - failing_since < timedelta(days=5) + BACKOFF[-1]
    entry = LedgerEntry.objects.filter(action="webhook.subscription_disabled").get()
    assert entry.actor_name == "system" and entry.payload["automatic"] is True
    assert "webhooks.disable_after_days" in subscription.disabled_reason
    sent = len(receiver.received)
    frozen.shift(timedelta(days=2))
    publish()
    assert sweep() == 0 and len(receiver.received) == sent  # disabled: nothing sent, no new deliveries
    assert WebhookDelivery.objects.count() == 1


def test_a_success_ends_the_failure_streak(hooked, receiver, frozen):
    receiver.status = 500
    publish()
    sweep()
    receiver.status = 200
    frozen.shift(BACKOFF[0])
    sweep()
    hooked.refresh_from_db()
    assert hooked.failing_since is None and hooked.is_active


def test_enabling_sends_what_waited(hooked, receiver, frozen, admin_user):
    receiver.status = 500
    publish()
    sweep()
    services.disable_subscription(actor=admin_user, subscription_id=hooked.pk, reason="Receiver broken")
    receiver.status = 200
    frozen.shift(timedelta(hours=3))
    assert sweep() == 0
    services.enable_subscription(actor=admin_user, subscription_id=hooked.pk)
    assert sweep() == 1 and WebhookDelivery.objects.get().status == "delivered"


def test_an_administrator_redelivers_and_the_delivery_log_shows_it(hooked, receiver, admin_user, auditor):
    publish()
    sweep()
    delivery = WebhookDelivery.objects.get()
    url = f"/api/webhooks/deliveries/{delivery.pk}/redeliver/"
    before = LedgerEntry.objects.count()
    assert authenticated(auditor).post(url).status_code == 403
    assert LedgerEntry.objects.count() == before and WebhookDelivery.objects.get().status == "delivered"
    response = authenticated(admin_user).post(url)
    assert response.status_code == 200 and response.json()["status"] == "pending"
    assert list(LedgerEntry.objects.filter(seq__gt=before).values_list("action", flat=True)) == [
        "webhook.redelivery_requested"]
    sweep()
    assert [item.webhook_id for item in receiver.received] == [f"msg_{delivery.event_id}"] * 2
    log = authenticated(auditor).get(f"/api/webhooks/subscriptions/{hooked.pk}/deliveries/").json()["results"]
    assert [(row["status"], row["attempts"], row["response_status"], row["topic"]) for row in log] == [
        ("delivered", 2, 204, "change.submit")]
    assert log[0]["response_ms"] is not None


def test_redelivery_of_a_disabled_subscription_is_a_conflict(hooked, receiver, admin_user):
    publish()
    sweep()
    services.disable_subscription(actor=admin_user, subscription_id=hooked.pk, reason="Paused")
    before = LedgerEntry.objects.count()
    delivery = WebhookDelivery.objects.get()
    assert authenticated(admin_user).post(f"/api/webhooks/deliveries/{delivery.pk}/redeliver/").status_code == 409
    assert LedgerEntry.objects.count() == before and WebhookDelivery.objects.get().status == "delivered"


def test_a_claimed_delivery_is_not_claimed_again_until_its_claim_runs_out(hooked, receiver, frozen):
    """Two workers never send one delivery at once; a worker that died leaves it to the next sweep."""
    events = [OutboxEvent.objects.create(topic="change.submit") for _ in range(2)]
    for event in events:
        services.fan_out(event)
    claimed = tasks._claim(timezone.now())
    assert len(claimed) == 2 and tasks._claim(timezone.now()) == []
    frozen.shift(tasks.CLAIM)
    assert len(tasks._claim(timezone.now())) == 2  # the first worker never reported: sent again


def test_a_host_that_now_resolves_to_a_private_address_is_not_called(frozen, admin_user, receiver, settings):
    """The destination is checked again before every attempt (DNS may have moved since subscribing)."""
    subscription = subscribe(admin_user, receiver.url)
    settings.WEBHOOKS_ALLOW_PRIVATE_DESTINATIONS = False
    publish()
    sweep()
    assert receiver.received == []
    delivery = WebhookDelivery.objects.get(subscription=subscription)
    assert "public addresses" in delivery.last_error and delivery.status == "pending"
