"""The records of an emergency change [POLICY §7, 002 §6.3]: its verbal authorizations, the requests
awaiting an authorizer's confirmation, and the 24-hour post-hoc paperwork with its reminder steps.
They belong to the `changes` app (changes/models.py imports them) and refer to the change by its lazy
name; their tables keep the names they had when these models lived in approvals, so no data moved."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from approvals.choices import EmergencyRole


class EmergencyAuthorization(models.Model):
    """A verbal authorization of an emergency change: who authorized it, in which capacity, when and
    how, and who wrote it down [POLICY §7, 002 §6.3]."""

    ROLE_CHOICES = EmergencyRole.choices
    HOW_CHOICES = [("phone", "By phone"), ("in_person", "In person"), ("chat", "By chat")]

    change = models.ForeignKey("changes.ChangeRequest", on_delete=models.CASCADE,
                               related_name="emergency_authorizations")
    authorizer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    authorizer_role = models.CharField(max_length=10, choices=ROLE_CHOICES)
    how = models.CharField(max_length=10, choices=HOW_CHOICES)
    authorized_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    notes = models.TextField(blank=True)

    class Meta:
        db_table = "approvals_emergencyauthorization"  # kept from when the model lived in approvals: no data moved
        ordering = ["change", "authorized_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["change", "authorizer_role"], name="emergency_auth_once_per_role"),
            models.UniqueConstraint(fields=["change", "authorizer"], name="emergency_auth_once_per_person"),
        ]

    def __str__(self):
        return f"{self.authorizer_role} authorization of change {self.change_id}"


class EmergencyReview(models.Model):
    """The 24-hour post-hoc paperwork of a deployed emergency change: documentation, formal approval
    by the matrix, root-cause analysis. Created at deployment; `completed_at` set when all three hold.
    `next_step`/`next_step_at` drive the reminder/escalation sweep like an approval slot's SLA."""

    change = models.OneToOneField("changes.ChangeRequest", on_delete=models.CASCADE, related_name="emergency_review")
    deployed_at = models.DateTimeField()
    due_at = models.DateTimeField()
    documentation_complete = models.BooleanField(default=False)
    documentation_missing = models.JSONField(default=list, blank=True)
    approvals_complete = models.BooleanField(default=False)
    root_cause = models.TextField(blank=True)
    root_cause_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+")
    root_cause_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    cab_review = models.BooleanField(default=False, help_text="High/critical: goes on the next CAB agenda")
    next_step = models.CharField(max_length=30, blank=True)
    next_step_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords(table_name="approvals_historicalemergencyreview")

    class Meta:
        db_table = "approvals_emergencyreview"  # kept from when the model lived in approvals: no data moved
        ordering = ["due_at", "id"]
        indexes = [
            # The paperwork sweep: open reviews whose next reminder/escalation is due.
            models.Index(fields=["next_step_at"], name="emergency_review_due",
                         condition=Q(completed_at__isnull=True, next_step_at__isnull=False)),
            # The "overdue emergency paperwork" list: open reviews by deadline.
            models.Index(fields=["due_at"], name="emergency_review_open", condition=Q(completed_at__isnull=True)),
            # The CAB agenda: high/critical emergency changes to review.
            models.Index(fields=["cab_review"], name="emergency_review_cab", condition=Q(cab_review=True)),
        ]

    def __str__(self):
        return f"Emergency paperwork of change {self.change_id}"

    @property
    def root_cause_recorded(self) -> bool:
        return bool(self.root_cause.strip())


class EmergencyStep(models.Model):
    """A paperwork reminder or escalation that was sent; unique per (review, step) so each goes out once."""

    review = models.ForeignKey(EmergencyReview, on_delete=models.CASCADE, related_name="steps")
    step = models.CharField(max_length=30)
    scheduled_at = models.DateTimeField()
    sent_at = models.DateTimeField()
    recipients = models.JSONField(default=list)

    class Meta:
        db_table = "approvals_emergencystep"  # kept from when the model lived in approvals: no data moved
        ordering = ["review", "scheduled_at"]
        constraints = [models.UniqueConstraint(fields=["review", "step"], name="emergency_step_once")]

    def __str__(self):
        return f"{self.step} for emergency review {self.review_id}"


class AuthorizationRequest(models.Model):
    """A verbal authorization written down by someone other than the authorizer. It is not an
    authorization yet: the authorizer is sent a signed link, and only when they follow it and confirm
    is the EmergencyAuthorization written (changes.emergency.services.confirmation). Single use: a confirmed
    request stays confirmed; expired once `expires_at` (the backdating limit after `authorized_at`) passed."""

    change = models.ForeignKey("changes.ChangeRequest", on_delete=models.CASCADE,
                               related_name="authorization_requests")
    authorizer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    authorizer_role = models.CharField(max_length=10, choices=EmergencyRole.choices)
    how = models.CharField(max_length=10, choices=EmergencyAuthorization.HOW_CHOICES)
    authorized_at = models.DateTimeField(help_text="When the go-ahead was given, as the recorder says")
    notes = models.TextField(blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    authorization = models.OneToOneField(EmergencyAuthorization, null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="request")

    class Meta:
        db_table = "approvals_authorizationrequest"  # kept from when the model lived in approvals: no data moved
        ordering = ["change", "requested_at", "id"]
        constraints = [
            models.CheckConstraint(name="auth_request_confirmed_has_authorization",
                                   condition=Q(confirmed_at__isnull=True) | Q(authorization__isnull=False)),
        ]

    def __str__(self):
        return f"{self.authorizer_role} authorization of change {self.change_id} awaiting confirmation"
