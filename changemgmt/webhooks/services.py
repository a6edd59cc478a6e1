"""Writes of the webhooks package. Administrators create, edit, rotate the secret of, disable, enable
and delete subscriptions and ask for a delivery again: each locks what it changes in one transaction,
checks permission (changemgmt.webhooks.rules) and appends ONE ledger entry, never holding the secret; a
refused request writes nothing. The URL is checked (changemgmt.webhooks.destinations, a DNS lookup)
before the transaction opens, so no lock waits on the network.

The system's writes: `fan_out` (the outbox's delivery handler: one pending delivery per matching active
subscription), `record_attempt` (the delivery log, no ledger entry: attempts are operational records)
and the automatic disabling of a subscription that failed for the policy's days, which is a ledger entry
by `system`. Sends are queued after commit by the task's name (changemgmt.send_webhooks), so this module
and the task module never import each other.
"""
import base64
import re
import secrets
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from changemgmt import ledger, policy
from changemgmt.errors import Conflict
from changemgmt.refusals import logged_refusals
from changemgmt.tasking import enqueue
from changemgmt.webhooks import destinations, rules
from changemgmt.webhooks.choices import DeliveryStatus
from changemgmt.webhooks.models import WebhookDelivery, WebhookSubscription

SEND_TASK = "changemgmt.send_webhooks"
FIELDS = ("url", "description", "event_types")
EVENT_TYPE = re.compile(r"^(\*|[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*(\.\*)?)$")
MAX_EVENT_TYPES = 50
SECRET_BYTES = 32  # Standard Webhooks: 24 to 64 random bytes
# Wait after the n-th failed attempt (the last one repeats): a receiver down for a day gets ~8 tries.
BACKOFF = (timedelta(seconds=5), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
           timedelta(hours=5), timedelta(hours=10))
REFUSED = "Only an administrator manages webhook subscriptions."


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def backoff(attempts: int) -> timedelta:
    return BACKOFF[min(attempts, len(BACKOFF)) - 1]


def _require_admin(actor) -> None:
    if not rules.can_manage(actor):
        raise PermissionDenied(REFUSED)


def _clean(data, *, partial: bool) -> dict:
    """Every field named with its rule; the URL checked last (a DNS lookup), only once the rest is valid."""
    if not isinstance(data, dict):
        raise ValidationError({"non_field_errors": ["The request body must be a JSON object."]})
    errors = {key: ["Unknown field."] for key in data if key not in FIELDS}
    clean = {}
    if "description" in data:
        description = data["description"]
        if not isinstance(description, str) or len(description) > 200:
            errors["description"] = ["Give the description as text of at most 200 characters."]
        else:
            clean["description"] = description.strip()
    if "event_types" in data or not partial:
        types = data.get("event_types")
        if (not isinstance(types, list) or not types or len(types) > MAX_EVENT_TYPES
                or not all(isinstance(t, str) and EVENT_TYPE.match(t) for t in types)):
            errors["event_types"] = [f"Give 1 to {MAX_EVENT_TYPES} event types: topics such as change.deployed, "
                                     "a family such as change.*, or * for every event."]
        elif len(set(types)) != len(types):
            errors["event_types"] = ["Name each event type once."]
        else:
            clean["event_types"] = types
    if "url" not in data and not partial:
        errors["url"] = ["This field is required."]
    if errors:
        raise ValidationError(errors)
    if "url" in data:
        destinations.resolve(data["url"])
        clean["url"] = data["url"].strip()
    return clean


def _payload(subscription: WebhookSubscription) -> dict:
    return {"url": subscription.url, "description": subscription.description,
            "event_types": subscription.event_types, "is_active": subscription.is_active}


def _locked(subscription_id) -> WebhookSubscription:
    return WebhookSubscription.objects.select_for_update().get(pk=subscription_id)


@logged_refusals("webhook.create")
def create_subscription(*, actor, data) -> WebhookSubscription:
    """A new subscription with a fresh secret (the caller shows it once)."""
    _require_admin(actor)
    fields = _clean(data, partial=False)
    with transaction.atomic():
        subscription = WebhookSubscription.objects.create(**fields, secret=new_secret(), created_by=actor)
        ledger.append(actor=actor, action="webhook.subscription_created", subject=subscription,
                      payload=_payload(subscription))
    return subscription


@logged_refusals("webhook.update")
def update_subscription(*, actor, subscription_id, data) -> WebhookSubscription:
    _require_admin(actor)
    fields = _clean(data, partial=True)
    with transaction.atomic():
        subscription = _locked(subscription_id)
        before = _payload(subscription)
        for name, value in fields.items():
            setattr(subscription, name, value)
        subscription.save()
        ledger.append(actor=actor, action="webhook.subscription_updated", subject=subscription,
                      payload={"before": before, "after": _payload(subscription)})
    return subscription


@logged_refusals("webhook.rotate_secret")
def rotate_secret(*, actor, subscription_id) -> WebhookSubscription:
    """A new secret signs every request from now on, retries of older events included."""
    _require_admin(actor)
    with transaction.atomic():
        subscription = _locked(subscription_id)
        subscription.secret = new_secret()
        subscription.save(update_fields=["secret", "updated_at"])
        ledger.append(actor=actor, action="webhook.secret_rotated", subject=subscription, payload={})
    return subscription


def _disable(subscription, *, actor, reason: str, now) -> None:
    subscription.is_active = False
    subscription.disabled_reason = reason[:300]
    subscription.disabled_at = now
    subscription.save(update_fields=["is_active", "disabled_reason", "disabled_at", "updated_at"])
    ledger.append(actor=actor, action="webhook.subscription_disabled", subject=subscription,
                  payload={"reason": subscription.disabled_reason, "automatic": actor is None})


@logged_refusals("webhook.disable")
def disable_subscription(*, actor, subscription_id, reason) -> WebhookSubscription:
    """Stop sending: no new deliveries are created for it and pending ones wait until it is enabled."""
    _require_admin(actor)
    if not isinstance(reason, str) or not reason.strip():
        raise ValidationError({"reason": ["Say why the subscription is disabled."]})
    with transaction.atomic():
        subscription = _locked(subscription_id)
        if not subscription.is_active:
            raise Conflict("The subscription is already disabled.")
        _disable(subscription, actor=actor, reason=reason.strip(), now=timezone.now())
    return subscription


@logged_refusals("webhook.enable")
def enable_subscription(*, actor, subscription_id) -> WebhookSubscription:
    """Send again: its pending deliveries are due at once and its failure streak starts afresh."""
    _require_admin(actor)
    now = timezone.now()
    with transaction.atomic():
        subscription = _locked(subscription_id)
        if subscription.is_active:
            raise Conflict("The subscription is already enabled.")
        subscription.is_active, subscription.disabled_reason = True, ""
        subscription.disabled_at = subscription.failing_since = None
        subscription.save(update_fields=["is_active", "disabled_reason", "disabled_at", "failing_since",
                                         "updated_at"])
        pending = subscription.deliveries.filter(status=DeliveryStatus.PENDING).update(next_attempt_at=now)
        ledger.append(actor=actor, action="webhook.subscription_enabled", subject=subscription,
                      payload={"pending_deliveries": pending})
        enqueue(SEND_TASK)
    return subscription


@logged_refusals("webhook.delete")
def delete_subscription(*, actor, subscription_id) -> None:
    """Delete it with its delivery log; the ledger keeps the deletion."""
    _require_admin(actor)
    with transaction.atomic():
        subscription = _locked(subscription_id)
        ledger.append(actor=actor, action="webhook.subscription_deleted", subject=subscription,
                      payload=_payload(subscription))
        subscription.delete()


@logged_refusals("webhook.redeliver")
def redeliver(*, actor, delivery_id) -> WebhookDelivery:
    """Send a delivery again now, delivered or not (the receiver gets the same webhook-id, so it can tell)."""
    _require_admin(actor)
    now = timezone.now()
    with transaction.atomic():
        subscription_id = WebhookDelivery.objects.values_list("subscription_id", flat=True).get(pk=delivery_id)
        subscription = _locked(subscription_id)
        delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery_id)
        if not subscription.is_active:
            raise Conflict("The subscription is disabled: enable it first.")
        previous = delivery.status
        delivery.status, delivery.next_attempt_at, delivery.delivered_at = DeliveryStatus.PENDING, now, None
        delivery.save(update_fields=["status", "next_attempt_at", "delivered_at"])
        ledger.append(actor=actor, action="webhook.redelivery_requested", subject=delivery,
                      payload={"subscription": subscription.pk, "event": delivery.event_id,
                               "previous_status": previous, "attempts": delivery.attempts})
        enqueue(SEND_TASK)
    return delivery


def fan_out(event) -> None:
    """The outbox's delivery handler for every topic: one pending delivery, due now, per active subscription
    that matches the event and existed when it happened. Idempotent (unique per subscription and event),
    so an event the outbox hands over twice is delivered once per subscription."""
    matching = [subscription for subscription in WebhookSubscription.objects.filter(
        is_active=True, created_at__lte=event.created_at) if subscription.matches(event.topic)]
    if not matching:
        return
    now = timezone.now()
    WebhookDelivery.objects.bulk_create(
        [WebhookDelivery(subscription=subscription, event=event, next_attempt_at=now) for subscription in matching],
        ignore_conflicts=True)
    enqueue(SEND_TASK)


def record_attempt(*, delivery_id, attempted_at, status_code, response_ms, error: str) -> WebhookDelivery:
    """Log one attempt. A 2xx delivers it and ends the subscription's failure streak; anything else schedules
    the next attempt (BACKOFF) and, once every attempt has failed for policy `webhooks.disable_after_days`,
    disables the subscription (a ledger entry by system). Locks the subscription, then the delivery, as the
    administrators' writes do."""
    subscription_id = WebhookDelivery.objects.values_list("subscription_id", flat=True).get(pk=delivery_id)
    with transaction.atomic():
        subscription = _locked(subscription_id)
        delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery_id)
        delivery.attempts += 1
        delivery.last_attempt_at, delivery.claimed_until = attempted_at, None
        delivery.response_status, delivery.response_ms, delivery.last_error = status_code, response_ms, error[:2000]
        if not error:
            delivery.status, delivery.delivered_at, delivery.next_attempt_at = (
                DeliveryStatus.DELIVERED, attempted_at, None)
        else:
            delivery.next_attempt_at = attempted_at + backoff(delivery.attempts)
        delivery.save()
        if not error:
            if subscription.failing_since is not None:
                subscription.failing_since = None
                subscription.save(update_fields=["failing_since"])
        elif subscription.failing_since is None:
            subscription.failing_since = attempted_at
            subscription.save(update_fields=["failing_since"])
        elif subscription.is_active:
            days = policy.get("webhooks")["disable_after_days"]
            if attempted_at - subscription.failing_since >= timedelta(days=days):
                _disable(subscription, actor=None, now=attempted_at,
                         reason=f"Every delivery failed for {days} days (policy webhooks.disable_after_days); "
                                f"last error: {error}")
    return delivery
