"""Sending webhooks. `send_webhooks` runs after commit whenever a delivery becomes due (fan-out,
redelivery, enabling) and every minute from beat, so what a dead worker or a broker outage left pending
goes out once its back-off is reached. Each run claims due deliveries in short transactions (row locks
skipped by a concurrent run, then `claimed_until` set), sends each outside any transaction, and records
the attempt through the service: two workers never send one delivery at the same time, and a worker that
dies mid-send leaves its claim to expire, so the delivery is sent again (at least once).

A request follows the Standard Webhooks specification: body `{"type", "timestamp", "data"}` (the outbox
event's topic, time and payload), headers `webhook-id` (`msg_<event id>`, the same on every retry and
for every subscription: a receiver's idempotency key), `webhook-timestamp` (this attempt, Unix seconds)
and `webhook-signature` (`v1,<base64 HMAC-SHA256>`, by the `standardwebhooks` library with the
subscription's secret).
"""
import http.client
import json
import time
from datetime import timedelta

from celery import shared_task
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from standardwebhooks import Webhook

from changemgmt.webhooks import destinations, services
from changemgmt.webhooks.choices import DeliveryStatus
from changemgmt.webhooks.models import WebhookDelivery

BATCH = 50
TIMEOUT_SECONDS = 5
CLAIM = timedelta(minutes=5)  # far longer than one attempt can take
USER_AGENT = "changemgmt-webhooks/1"


@shared_task(name="changemgmt.send_webhooks")
def send_webhooks() -> int:
    """Send every delivery due when the run starts; return how many attempts were made."""
    due_by = timezone.now()
    attempts = 0
    while batch := _claim(due_by):
        for delivery in batch:
            _attempt(delivery)
            attempts += 1
    return attempts


def _claim(due_by) -> list[WebhookDelivery]:
    now = timezone.now()
    with transaction.atomic():
        batch = list(
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=due_by, subscription__is_active=True)
            .exclude(claimed_until__gt=now)
            .select_related("subscription", "event").order_by("next_attempt_at", "id")[:BATCH])
        WebhookDelivery.objects.filter(pk__in=[delivery.pk for delivery in batch]).update(claimed_until=now + CLAIM)
    return batch


def body_of(event) -> bytes:
    return json.dumps({"type": event.topic, "timestamp": event.created_at, "data": event.payload},
                      cls=DjangoJSONEncoder, separators=(",", ":")).encode()


def _attempt(delivery: WebhookDelivery) -> None:
    body = body_of(delivery.event)
    message_id = f"msg_{delivery.event_id}"
    attempted_at = timezone.now()
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT, "webhook-id": message_id,
               "webhook-timestamp": str(int(attempted_at.timestamp())),
               "webhook-signature": Webhook(delivery.subscription.secret).sign(message_id, attempted_at, body)}
    started = time.perf_counter()
    status_code, error = None, ""
    try:
        status_code = destinations.post(destinations.resolve(delivery.subscription.url), body, headers,
                                        TIMEOUT_SECONDS)
        if not 200 <= status_code < 300:
            error = f"HTTP {status_code}"
    except ValidationError as refused:  # the host now resolves to an address that is not allowed
        error = "; ".join(refused.messages)
    except (OSError, http.client.HTTPException) as failure:  # refused, reset, timed out, not HTTP
        error = f"{type(failure).__name__}: {failure}"
    services.record_attempt(delivery_id=delivery.pk, attempted_at=attempted_at, status_code=status_code,
                            response_ms=round((time.perf_counter() - started) * 1000), error=error)
