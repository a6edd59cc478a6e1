"""Approval slots: one required decision on one change."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from approvals.choices import DecisionChannel, SlotRole, SlotStatus, Verdict


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
    # The slots one sync creates share it (approvals.services.sync_slots): their SLA steps, planned from
    # it, fall due together, so one sweep tells each person once about all of them.
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    due_at = models.DateTimeField(null=True, blank=True, help_text="SLA deadline")
    # The SLA timer: the next reminder/escalation step and when it is due (approvals.sla).
    next_step = models.CharField(max_length=30, blank=True)
    next_step_at = models.DateTimeField(null=True, blank=True)
    on_behalf_of = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", help_text="Whose role the decider used, by delegation")
    channel = models.CharField(max_length=12, choices=DecisionChannel.choices, blank=True,
                               help_text="How the decision was made (blank: before this was recorded)")
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
            # …in its default order (due, then id) whatever the roles: PostgreSQL walks this index and
            # stops at the page's 500 rows, where `slot_queue` with several roles (or the owner filter)
            # sorted every pending slot of the role (349 → 2.7 ms at 1,000,000 changes, 136,000 pending).
            models.Index(fields=["due_at", "id"], name="slot_pending_due", condition=Q(status="pending")),
            # The SLA sweep: pending slots whose next reminder/escalation is due, soonest first.
            models.Index(fields=["next_step_at"], name="slot_sla_due",
                         condition=Q(status="pending", next_step_at__isnull=False)),
            # The metrics' review completion time: slots decided in a period.
            models.Index(fields=["decided_at"], name="slot_decided_at", condition=Q(decided_at__isnull=False)),
        ]

    def __str__(self):
        return f"{self.get_role_display()} #{self.ordinal} on change {self.change_id}"


class SlaStep(models.Model):
    """A reminder or escalation that was sent for a slot. The unique (slot, step) pair is what makes
    each one go out exactly once, however many sweeps run and whenever they run."""

    slot = models.ForeignKey(ApprovalSlot, on_delete=models.CASCADE, related_name="sla_steps")
    step = models.CharField(max_length=30)
    scheduled_at = models.DateTimeField(help_text="When the step was due")
    sent_at = models.DateTimeField()
    recipients = models.JSONField(default=list, help_text="Usernames notified")

    class Meta:
        ordering = ["slot", "scheduled_at"]
        constraints = [models.UniqueConstraint(fields=["slot", "step"], name="sla_step_once")]

    def __str__(self):
        return f"{self.step} for slot {self.slot_id}"


class Delegation(models.Model):
    """While `delegator` is away (from `starts_on` to `ends_on`, inclusive, organisation dates),
    `delegate` may decide approvals in the delegator's roles; each such decision records on whose
    behalf it was made."""

    delegator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="delegations_given")
    delegate = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                 related_name="delegations_received")
    starts_on = models.DateField()
    ends_on = models.DateField()
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(name="delegation_ends_after_start", condition=Q(ends_on__gte=models.F("starts_on"))),
            models.CheckConstraint(name="delegation_not_to_self", condition=~Q(delegate=models.F("delegator"))),
        ]
        indexes = [
            # "Whose roles may I use today": active delegations by delegate and date.
            models.Index(fields=["delegate", "ends_on"], name="delegation_active",
                         condition=Q(revoked_at__isnull=True)),
        ]

    def __str__(self):
        return f"{self.delegator_id} -> {self.delegate_id} {self.starts_on}..{self.ends_on}"


class OnCallShift(models.Model):
    """Who is on call as emergency authorizer (manager or security) from `starts_at` to `ends_at`;
    after business hours only the on-call people may authorize an emergency change [POLICY §7]."""

    ROLE_CHOICES = [("manager", "Manager"), ("security", "Security")]

    role = models.CharField(max_length=10, choices=ROLE_CHOICES)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="on_call_shifts")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["starts_at", "role"]
        constraints = [
            models.CheckConstraint(name="oncall_ends_after_start", condition=Q(ends_at__gt=models.F("starts_at"))),
        ]
        # "Who was on call as <role> at <instant>": shifts of a role by start time.
        indexes = [models.Index(fields=["role", "starts_at", "ends_at"], name="oncall_role_period")]

    def __str__(self):
        return f"{self.role} on call: {self.user_id} {self.starts_at:%Y-%m-%d %H:%M}..{self.ends_at:%Y-%m-%d %H:%M}"


class EmailDecisionLink(models.Model):
    """One signed, single-use, expiring link of an approval-request or SLA-reminder mail: `action` (grant or
    reject) of `slot` by `user` (approvals.email_link_services). The row exists from the request or the
    reminder (with the notification it belongs to); the token is minted when the mail is rendered, and only
    its SHA-256 is kept, so the database alone never yields a working link. `used_at` set: spent, a replay
    is refused."""

    slot = models.ForeignKey(ApprovalSlot, on_delete=models.CASCADE, related_name="email_links")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=10, choices=Verdict.choices)
    notification = models.ForeignKey("changemgmt.Notification", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    token_hash = models.CharField(max_length=64, blank=True, help_text="SHA-256 (hex) of the minted token")
    created_at = models.DateTimeField(auto_now_add=True)
    issued_at = models.DateTimeField(null=True, blank=True, help_text="When the token was minted (mailed)")
    expires_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["slot", "user", "action"]
        constraints = [
            models.UniqueConstraint(fields=["token_hash"], condition=~Q(token_hash=""), name="email_link_token_once"),
            # one grant and one reject link per slot a mail names (a reminder names every due slot of a change);
            # its index (notification first) also serves mail_context's lookup of a mail's links
            models.UniqueConstraint(fields=["notification", "slot", "action"], condition=Q(notification__isnull=False),
                                    name="email_link_one_per_mail_slot_action"),
        ]

    def __str__(self):
        return f"{self.action} link of slot {self.slot_id} for {self.user_id}"
