"""Bodies of the webhooks API, for the OpenAPI schema and the answers. Nothing here validates input: the
services do (changemgmt.webhooks.services)."""
from drf_spectacular.utils import OpenApiExample
from rest_framework import serializers

from changemgmt.webhooks.models import WebhookDelivery, WebhookSubscription


class SubscriptionSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookSubscription
        fields = ["id", "url", "description", "event_types", "is_active", "disabled_reason", "disabled_at",
                  "failing_since", "created_at", "updated_at"]


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


class DisableBody(serializers.Serializer):
    reason = serializers.CharField(help_text="Why the subscription stops.")


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
