"""Domain events, written in the same transaction as the change they describe."""
from django.db import models


class OutboxEvent(models.Model):
    """An event waiting for delivery (webhooks, notifications). Celery delivers undelivered rows."""

    topic = models.CharField(max_length=80)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            # The delivery sweep: undelivered events, oldest first.
            models.Index(
                fields=["id"], name="outbox_undelivered", condition=models.Q(delivered_at__isnull=True)
            ),
        ]

    def __str__(self):
        return f"{self.topic} #{self.pk}"
