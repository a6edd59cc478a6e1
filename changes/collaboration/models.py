"""What people add to a change besides its fields: comments and work notes, who watches it, files."""
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

User = settings.AUTH_USER_MODEL


class Comment(models.Model):
    """One comment on a change. A work note (`work_note`) is internal: shown to the people who work
    the change (every role but requester-only accounts, changes.collaboration.rules), never to
    requesters. `mentions` are the people named with @username in the body, each notified once."""

    change = models.ForeignKey("changes.ChangeRequest", on_delete=models.PROTECT, related_name="comments")
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="change_comments")
    body = models.TextField()
    work_note = models.BooleanField(default=False, help_text="Internal: hidden from requesters")
    mentions = models.ManyToManyField(User, blank=True, related_name="change_mentions")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        app_label = "changes"
        ordering = ["created_at", "id"]
        indexes = [
            # the change page's thread and its live-update version check: one change's comments by time
            models.Index(fields=["change", "created_at"], name="comment_change_time_idx"),
        ]

    def __str__(self):
        kind = "Work note" if self.work_note else "Comment"
        return f"{kind} #{self.pk} on change {self.change_id}"


class Watch(models.Model):
    """A person who hears of every comment and transition of a change (through the inbox and e-mail)."""

    change = models.ForeignKey("changes.ChangeRequest", on_delete=models.CASCADE, related_name="watches")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="watches")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        app_label = "changes"
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["change", "user"], name="watch_once_per_person")]
        # the unique constraint's index serves "who watches this change" (change first)

    def __str__(self):
        return f"user {self.user_id} watches change {self.change_id}"


def attachment_path(instance, filename: str) -> str:
    """Stored under a random name: a person's file name never becomes a storage path."""
    return f"attachments/{instance.change_id}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """A file kept with a change (evidence, a runbook). Its SHA-256 is recorded here and in the
    ledger entry of the upload, so anyone can check a downloaded copy against the audit trail."""

    change = models.ForeignKey("changes.ChangeRequest", on_delete=models.PROTECT, related_name="attachments")
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="change_attachments")
    file = models.FileField(upload_to=attachment_path, max_length=300)
    filename = models.CharField(max_length=255, help_text="The name it was uploaded with (shown, and used on download)")
    content_type = models.CharField(max_length=100, help_text="From the allowed type of its extension")
    size = models.PositiveBigIntegerField(help_text="Bytes")
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        app_label = "changes"
        ordering = ["created_at", "id"]
        indexes = [
            # the change page's file list and its live-update version check
            models.Index(fields=["change", "created_at"], name="attachment_change_time_idx"),
        ]

    def __str__(self):
        return f"{self.filename} ({self.sha256[:12]})"
