"""What a notification is about."""
from django.db import models


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
    CAB_INVITATION = "cab_invitation", "CAB meeting invitation"
    CAB_MINUTES = "cab_minutes", "CAB minutes published"
    CAB_ACTION_REMINDER = "cab_action_reminder", "CAB action item due"
