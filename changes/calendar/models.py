"""The change calendar's models: freezes, configuration items, deployment windows, stored conflicts
and feed tokens. They belong to the `changes` app (changes/models.py imports them), so they refer to
the change and the service by their lazy names: this module imports nothing of `changes` but the
calendar's choices, so changes/models.py and changes.calendar.schedule can both import it."""
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from changes.calendar.choices import WEEKDAY_NAMES, FreezeKind

User = settings.AUTH_USER_MODEL


class Freeze(models.Model):
    """A period in which changes may not deploy: hard (emergency only) or soft (justification
    and one extra approval). Empty `services` means the freeze covers everything. A freeze is never
    edited or deleted once announced; lifting it (changes.calendar.services.lift_freeze) ends it at
    `lifted_at`, and one lifted before it started never applies."""

    name = models.CharField(max_length=150)
    reason = models.TextField()
    kind = models.CharField(max_length=10, choices=FreezeKind.choices, default=FreezeKind.HARD)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    services = models.ManyToManyField("changes.Service", blank=True, related_name="freezes")
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    lift_reason = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(name="freeze_end_after_start", condition=Q(ends_at__gt=F("starts_at"))),
            models.CheckConstraint(name="freeze_lift_has_reason",
                                   condition=Q(lifted_at__isnull=True) | ~Q(lift_reason="")),
        ]
        indexes = [models.Index(fields=["starts_at", "ends_at"], name="freeze_period")]

    def __str__(self):
        return self.name


class ConfigurationItem(models.Model):
    """A part of a service a change may name (a database, a queue, a host group); two changes on the
    same item, or on the item's service, in overlapping time conflict."""

    service = models.ForeignKey("changes.Service", on_delete=models.CASCADE, related_name="configuration_items")
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["service__name", "name"]
        constraints = [models.UniqueConstraint(fields=["service", "name"], name="ci_unique_name_per_service")]

    def __str__(self):
        return f"{self.service.name} / {self.name}"


class DeploymentWindow(models.Model):
    """A weekly deployment window in the organisation's time zone, open to the listed risk levels
    [POLICY §6]. A weekday without windows is emergency-only. Edited through
    changes.calendar.services (admin and API), validated and audited there."""

    weekday = models.PositiveSmallIntegerField(help_text="0 = Monday … 6 = Sunday")
    starts = models.TimeField(help_text="Local time (organisation time zone)")
    ends = models.TimeField(help_text="Local time; after the start, same day")
    risks = models.JSONField(default=list, help_text="Risk levels allowed in this window")
    history = HistoricalRecords()

    class Meta:
        ordering = ["weekday", "starts"]
        constraints = [
            models.CheckConstraint(name="window_end_after_start", condition=Q(ends__gt=F("starts"))),
            models.CheckConstraint(name="window_weekday_0_6", condition=Q(weekday__gte=0, weekday__lte=6)),
        ]

    def __str__(self):
        return f"{WEEKDAY_NAMES[self.weekday]} {self.starts:%H:%M}-{self.ends:%H:%M} ({', '.join(self.risks)})"


class ChangeConflict(models.Model):
    """Two changes touching the same service or configuration item in overlapping time. Kept up to
    date by changes.calendar.conflicts whenever either change is saved; `change` has the lower id."""

    change = models.ForeignKey("changes.ChangeRequest", on_delete=models.CASCADE, related_name="conflicts_as_first")
    other = models.ForeignKey("changes.ChangeRequest", on_delete=models.CASCADE, related_name="conflicts_as_second")
    overlap_start = models.DateTimeField()
    overlap_end = models.DateTimeField()
    shared = models.JSONField(default=dict, help_text='{"services": [names], "items": [names]}')
    detected_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["overlap_start", "id"]
        constraints = [
            models.UniqueConstraint(fields=["change", "other"], name="conflict_unique_pair"),
            models.CheckConstraint(name="conflict_ordered_pair", condition=Q(change__lt=F("other"))),
        ]
        # "Conflicts of change X" looks up both columns: `change` by the unique index, `other` here.
        indexes = [models.Index(fields=["other"], name="conflict_other")]

    def __str__(self):
        return f"Conflict {self.change_id} / {self.other_id}"


class CalendarFeedToken(models.Model):
    """A user's secret iCalendar feed URL. Only the SHA-256 of the secret is stored; revoking it
    makes the URL answer 404."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="calendar_feed_tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user"], condition=Q(revoked_at__isnull=True),
                                    name="feed_token_one_active_per_user"),
        ]

    def __str__(self):
        return f"Calendar feed of {self.user_id}"
