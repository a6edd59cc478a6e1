"""Admin of the webhooks: read-only (subscriptions are written through the API's services, so the secret is
shown once and every write is audited; the secret never appears here)."""
from django.contrib import admin

from changemgmt.admin_base import ReadOnlyAdmin
from changemgmt.webhooks.models import WebhookDelivery, WebhookSubscription


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(ReadOnlyAdmin):
    list_display = ("id", "url", "is_active", "failing_since", "disabled_at")
    list_filter = ("is_active",)
    exclude = ("secret",)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ("id", "subscription", "event", "status", "attempts", "response_status", "response_ms",
                    "next_attempt_at", "delivered_at")
    list_filter = ("status",)
    list_select_related = ("subscription", "event")
