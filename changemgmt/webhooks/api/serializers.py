"""Bodies of the webhooks API, for the OpenAPI schema and the answers. Nothing here validates input: the
services do (changemgmt.webhooks.services)."""
from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from changemgmt.webhooks.models import WebhookDelivery, WebhookSubscription

_SUBSCRIPTION = {"id": 4, "url": "https://hooks.example.com/changemgmt", "description": "Jira relay",
                 "event_types": ["change.*"], "is_active": True, "disabled_reason": "", "disabled_at": None,
                 "failing_since": None, "created_at": "2026-12-01T09:00:00Z", "updated_at": "2026-12-01T09:00:00Z"}


@extend_schema_serializer(examples=[OpenApiExample("A subscription", response_only=True, value=_SUBSCRIPTION)])
class SubscriptionSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookSubscription
        fields = ["id", "url", "description", "event_types", "is_active", "disabled_reason", "disabled_at",
                  "failing_since", "created_at", "updated_at"]


@extend_schema_serializer(examples=[OpenApiExample("With its new secret", response_only=True, value={
    **_SUBSCRIPTION, "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"})])
class SubscriptionWithSecretSerializer(SubscriptionSerializer):
    """Only the answers of create and rotate-secret carry the secret: store it now, it is never shown again."""

    secret = serializers.CharField(help_text="whsec_<base64>: verify each request with it (standardwebhooks)")

    class Meta(SubscriptionSerializer.Meta):
        fields = [*SubscriptionSerializer.Meta.fields, "secret"]


class SubscriptionBody(serializers.Serializer):
    url = serializers.CharField(help_text="https:// or http:// URL whose host resolves only to public addresses "
                                          "(unless WEBHOOKS_ALLOW_PRIVATE_DESTINATIONS is on).")
    description = serializers.CharField(required=False, allow_blank=True, max_length=200)
    event_types = serializers.ListField(child=serializers.CharField(),
                                        help_text='Topics (change.deployed), families (change.*) or "*".')


@extend_schema_serializer(examples=[OpenApiExample("Disable", request_only=True,
                                                   value={"reason": "The relay is being replaced."})])
class DisableBody(serializers.Serializer):
    reason = serializers.CharField(help_text="Why the subscription stops.")


@extend_schema_serializer(examples=[OpenApiExample("A delivery", response_only=True, value={
    "id": 310, "subscription": 4, "event": 8812, "topic": "change.deploy", "status": "pending", "attempts": 2,
    "next_attempt_at": "2026-12-01T11:40:05Z", "last_attempt_at": "2026-12-01T11:10:05Z", "response_status": 503,
    "response_ms": 84, "last_error": "HTTP 503", "delivered_at": None, "created_at": "2026-12-01T11:10:00Z"})])
class DeliverySerializer(serializers.ModelSerializer):
    topic = serializers.CharField(source="event.topic")
    event = serializers.IntegerField(source="event_id", help_text="The outbox event; webhook-id is msg_<event>.")
    subscription = serializers.IntegerField(source="subscription_id")

    class Meta:
        model = WebhookDelivery
        fields = ["id", "subscription", "event", "topic", "status", "attempts", "next_attempt_at",
                  "last_attempt_at", "response_status", "response_ms", "last_error", "delivered_at", "created_at"]


EXAMPLES = [
    OpenApiExample("Subscribe to every change event", request_only=True, value={
        "url": "https://hooks.example.com/changemgmt", "description": "Jira relay", "event_types": ["change.*"]}),
]
