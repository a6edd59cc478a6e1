"""Webhook subscriptions and their delivery log. Kept in the `changemgmt` app (imported by
changemgmt.models), beside the outbox whose events they deliver."""
from django.conf import settings
from django.db import models
from django.db.models import Q

from changemgmt.webhooks.choices import DeliveryStatus


class WebhookSubscription(models.Model):
    """A receiver of the events whose topics match `event_types` (`"*"` every topic, `"change.*"` a
    family). The secret signs every request (Standard Webhooks), so it is stored as given out: shown once
    at creation and at each rotation, never in any other answer, page or ledger entry."""

    url = models.CharField(max_length=2000)
    description = models.CharField(max_length=200, blank=True)
    event_types = models.JSONField(default=list, help_text='Topics, "*" for every topic or "area.*" for a family')
    secret = models.CharField(max_length=100, help_text="whsec_<base64>; never shown after creation or rotation")
    is_active = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    failing_since = models.DateTimeField(null=True, blank=True,
                                         help_text="First failure since the last success (automatic disabling)")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "changemgmt"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(name="webhook_disabled_has_reason",
                                   condition=Q(is_active=True) | ~Q(disabled_reason="")),
        ]

    def __str__(self):
        return f"Webhook #{self.pk} → {self.url}"

    def matches(self, topic: str) -> bool:
        return any(pattern == "*" or pattern == topic
                   or (pattern.endswith(".*") and topic.startswith(pattern[:-1])) for pattern in self.event_types)


class WebhookDelivery(models.Model):
    """One outbox event for one subscription: the delivery log row (attempts, last answer, when), and its
    queue entry while pending. At least once: a row stays pending until a 2xx, and a row claimed by a
    worker that died is due again when its claim (`claimed_until`) runs out."""

    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey("changemgmt.OutboxEvent", on_delete=models.PROTECT, related_name="webhook_deliveries")
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True,
                                         help_text="A worker is sending it; due again after this if the worker died")
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True, help_text="HTTP status, last attempt")
    response_ms = models.PositiveIntegerField(null=True, blank=True, help_text="Response time of the last attempt")
    last_error = models.TextField(blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "changemgmt"
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "event"], name="webhook_delivery_once_per_event"),
        ]
        indexes = [
            # The send sweep: pending deliveries whose next attempt is due, soonest first.
            models.Index(fields=["next_attempt_at", "id"], name="webhook_delivery_due",
                         condition=Q(status="pending")),
            # A subscription's delivery log, newest first.
            models.Index(fields=["subscription", "-id"], name="webhook_delivery_log"),
        ]

    def __str__(self):
        return f"{self.event_id} → webhook #{self.subscription_id} ({self.status})"
