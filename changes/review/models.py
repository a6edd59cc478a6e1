"""What a post-implementation review follow-up keeps (registered by changes/models.py, app `changes`)."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from changes.review.choices import Checkpoint


class ReviewFollowUp(models.Model):
    """One follow-up of a deployed change: due `pir_follow_up_hours[checkpoint]` after deployment,
    reminded once when due, answered once. `issues_found` on the `day` checkpoint is the metric's
    "post-implementation issue within 24 h" (None until answered)."""

    change = models.ForeignKey("changes.ChangeRequest", on_delete=models.CASCADE, related_name="review_follow_ups")
    checkpoint = models.CharField(max_length=10, choices=Checkpoint.choices)
    due_at = models.DateTimeField()
    reminded_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    issues_found = models.BooleanField(null=True, blank=True,
                                       help_text="Any issue caused by the change since it was deployed")
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        app_label = "changes"
        ordering = ["change", "due_at"]
        constraints = [
            models.UniqueConstraint(fields=["change", "checkpoint"], name="review_follow_up_once_per_checkpoint"),
            models.CheckConstraint(name="review_follow_up_answer_complete",
                                   condition=Q(answered_at__isnull=True) | Q(issues_found__isnull=False)),
        ]
        indexes = [
            # The reminder sweep: due, not yet reminded, not answered.
            models.Index(fields=["due_at"], name="review_follow_up_due",
                         condition=Q(reminded_at__isnull=True, answered_at__isnull=True)),
            # The metric: answered 24-hour follow-ups with issues.
            models.Index(fields=["checkpoint", "issues_found"], name="review_follow_up_issues"),
        ]

    def __str__(self):
        return f"{self.get_checkpoint_display()} of change {self.change_id}"
