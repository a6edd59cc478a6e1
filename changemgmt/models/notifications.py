"""In-app notifications and each person's email preferences. They stay among the kernel's models
(the rest of changemgmt.notifications is its own package): the models package must not run the
notifications package, whose mail reads the business clock, whose policy reads these models."""
from django.conf import settings
from django.db import models
from django.db.models import Q


class NotificationKind(models.TextChoices):
    """Each kind has its mail template, templates/email/<kind>.txt, and a per-person e-mail switch."""

    APPROVAL_REQUESTED = "approval_requested", "Approval requested"
    SLA_REMINDER = "sla_reminder", "Approval reminder"
    SLA_ESCALATION = "sla_escalation", "Approval overdue (escalation)"
    EMERGENCY_REMINDER = "emergency_reminder", "Emergency paperwork reminder"
    EMERGENCY_ESCALATION = "emergency_escalation", "Emergency paperwork overdue"
    DELEGATION = "delegation", "Approvals delegated to you"
    CHANGE_CONFLICT = "change_conflict", "Schedule conflict with another change"
    FREEZE_CAUGHT = "freeze_caught", "Change caught by a freeze"
    FREEZE_LIFTED = "freeze_lifted", "Freeze over a change lifted"
    RETURNED_TO_REQUEST = "returned_to_request", "Change sent back to request (plan no longer fits its risk)"
    CAB_INVITATION = "cab_invitation", "CAB meeting invitation"
    CAB_MINUTES = "cab_minutes", "CAB minutes published"
    CAB_ACTION_REMINDER = "cab_action_reminder", "CAB action item due"
    AUTOMATIC_ROLLBACK = "automatic_rollback", "Change rolled back automatically"
    UNAUTHORIZED_CHANGE = "unauthorized_change", "Unauthorized change detected"
    MENTIONED = "mentioned", "You were mentioned in a comment"
    WATCHED_COMMENT = "watched_comment", "New comment on a change you watch"
    WATCHED_TRANSITION = "watched_transition", "A change you watch moved on"
    REVIEW_FOLLOW_UP = "review_follow_up", "Post-implementation review follow-up due"
    METRICS_REPORT = "metrics_report", "Monthly change metrics report"


class Notification(models.Model):
    """One message to one person: what is asked, by when, and where to do it. Shown in the inbox;
    also emailed (after commit, by Celery) unless the person turned email off for its kind."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=30, choices=NotificationKind.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True, help_text="Site path of the page to act on")
    due_at = models.DateTimeField(null=True, blank=True, help_text="When the asked action is due")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    # Files mailed with it, as [filename, text, mimetype] (a CAB invitation's .ics, the minutes' .md).
    attachments = models.JSONField(default=list, blank=True)
    # The mailer's claim: a worker sets both before sending; a claim past `claimed_until` (its worker
    # died) is free again, so the row is retried instead of lost.
    claimed_by = models.CharField(max_length=32, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The inbox list, newest first.
            models.Index(fields=["user", "-created_at"], name="notification_inbox"),
            # The unread count shown on every page.
            models.Index(fields=["user"], name="notification_unread", condition=Q(read_at__isnull=True)),
            # The mail sweep: rows not mailed yet, oldest first.
            models.Index(fields=["id"], name="notification_unmailed", condition=Q(emailed_at__isnull=True)),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.user_id}: {self.title}"


class NotificationPreference(models.Model):
    """A person's choice to receive (or not) email for one kind; no row means email is on."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_prefs")
    kind = models.CharField(max_length=30, choices=NotificationKind.choices)
    email = models.BooleanField(default=True)

    class Meta:
        ordering = ["user", "kind"]
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_pref_unique")]

    def __str__(self):
        return f"{self.user_id} {self.kind} email={'on' if self.email else 'off'}"
