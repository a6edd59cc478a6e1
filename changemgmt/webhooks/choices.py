"""Vocabularies of the webhooks package."""
from django.db import models


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"  # waiting for its next attempt (first send or a retry)
    DELIVERED = "delivered", "Delivered"  # the receiver answered 2xx
