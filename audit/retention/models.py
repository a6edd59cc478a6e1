"""What retention leaves behind (registered by audit/models.py, app `audit`)."""
from django.db import models

from audit.retention.choices import RecordKind


class Tombstone(models.Model):
    """A record whose content retention purged: what it was, when it went, and the SHA-256 of the purged
    content (canonical JSON of the cleared fields), so a copy kept elsewhere can still be matched to it.
    Append-only by the retention service; one per record."""

    kind = models.CharField(max_length=20, choices=RecordKind.choices)
    object_id = models.PositiveBigIntegerField()
    change = models.ForeignKey("changes.ChangeRequest", null=True, on_delete=models.SET_NULL, related_name="+")
    reference = models.CharField(max_length=200, help_text="The change's reference and the record's own label")
    record_date = models.DateTimeField(help_text="The date retention counted from")
    purged_at = models.DateTimeField()
    content_sha256 = models.CharField(max_length=64)

    class Meta:
        app_label = "audit"
        ordering = ["-purged_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="tombstone_once_per_record")]
        indexes = [models.Index(fields=["change"], name="tombstone_change")]  # a change's purged records

    def __str__(self):
        return f"{self.get_kind_display()} {self.object_id} purged"
