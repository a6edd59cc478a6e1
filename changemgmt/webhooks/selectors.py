"""Reads of the webhooks package for the API and the admin, each a fixed number of queries."""
from changemgmt.webhooks.models import WebhookDelivery, WebhookSubscription


def subscriptions():
    return WebhookSubscription.objects.order_by("id")


def deliveries_of(subscription_id: int):
    """A subscription's delivery log, newest first, with each event's topic (index webhook_delivery_log)."""
    return (WebhookDelivery.objects.filter(subscription_id=subscription_id).select_related("event")
            .order_by("-id"))
