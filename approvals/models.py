"""Approval slots: one required decision on one change."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from approvals.choices import SlotRole, SlotStatus


class ApprovalSlot(models.Model):
    """A decision a change needs, from a holder of `role`; `rule` says which policy required it."""

    change = models.ForeignKey("changes.ChangeRequest", on_delete=models.CASCADE, related_name="approval_slots")
    role = models.CharField(max_length=20, choices=SlotRole.choices)
    ordinal = models.PositiveSmallIntegerField(default=1, help_text="1, 2… when a role is needed twice")
    rule = models.CharField(max_length=300, help_text="Why this slot is required")
    policy = models.CharField(max_length=100, help_text="Policy reference of the rule")
    status = models.CharField(max_length=12, choices=SlotStatus.choices, default=SlotStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="approval_decisions")
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    due_at = models.DateTimeField(null=True, blank=True, help_text="SLA deadline")
    history = HistoricalRecords()

    class Meta:
        ordering = ["change", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["change", "role", "ordinal"],
                condition=~Q(status="superseded"),
                name="slot_unique_live_role_ordinal",
            ),
            models.CheckConstraint(
                name="slot_decided_has_decider",
                condition=Q(status__in=["pending", "superseded"]) | Q(decided_by__isnull=False,
                                                                    decided_at__isnull=False),
            ),
        ]
        indexes = [
            # "My approvals": pending slots by role, soonest due first.
            models.Index(fields=["status", "role", "due_at"], name="slot_queue"),
        ]

    def __str__(self):
        return f"{self.get_role_display()} #{self.ordinal} on change {self.change_id}"
