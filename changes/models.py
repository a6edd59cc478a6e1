"""The change request and what hangs off it."""
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django_fsm import FSMField, transition
from simple_history.models import HistoricalRecords

from changes.choices import (
    Category,
    ChangeType,
    Criticality,
    FreezeKind,
    Outcome,
    RiskLevel,
    RollbackKind,
    Severity,
    State,
    TestResult,
    TestType,
)

User = settings.AUTH_USER_MODEL
REFERENCE_PREFIX = "CHG-"


class Service(models.Model):
    """A service a change may touch; conflicts are computed per service."""

    name = models.CharField(max_length=100, unique=True)
    owner_team = models.ForeignKey("changemgmt.Team", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="services")
    criticality = models.CharField(max_length=10, choices=Criticality.choices, default=Criticality.MEDIUM)
    description = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class StandardTemplate(models.Model):
    """A pre-approved standard change. Changes made from it skip approvals while they keep its
    controlled fields; editing one of those turns the change into a normal change."""

    CONTROLLED_FIELDS = ("category", "implementation_plan", "test_plan", "rollback_plan")

    name = models.CharField(max_length=150, unique=True)
    description = models.TextField()
    category = models.CharField(max_length=20, choices=Category.choices)
    implementation_plan = models.TextField()
    test_plan = models.TextField()
    rollback_plan = models.TextField()
    risk_scores = models.JSONField(
        default=dict, help_text="The pre-assessed scorecard: systems, users, data, reversibility, security"
    )
    active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class ChangeRequest(models.Model):
    """A request to change production, from filing to close. State moves only through
    changes.services (which checks gates and permissions); `state` is protected."""

    # What and why [002 §4.2]
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    business_justification = models.TextField(blank=True)
    impact_systems = models.TextField("systems affected", blank=True)
    impact_users = models.TextField("users affected", blank=True)
    implementation_plan = models.TextField(blank=True)
    test_plan = models.TextField(blank=True)
    rollback_plan = models.TextField(blank=True)
    planned_start = models.DateTimeField(null=True, blank=True)
    planned_end = models.DateTimeField(null=True, blank=True)
    ticket_url = models.URLField("ticket link", blank=True, max_length=500)
    pr_url = models.URLField("pull request link", blank=True, max_length=500)

    change_type = models.CharField(max_length=10, choices=ChangeType.choices, default=ChangeType.NORMAL)
    category = models.CharField(max_length=20, choices=Category.choices, default=Category.APPLICATION)
    services = models.ManyToManyField(Service, blank=True, related_name="changes")
    configuration_items = models.ManyToManyField("changes.ConfigurationItem", blank=True, related_name="changes")
    security_triggers = models.JSONField(default=list, blank=True)
    template = models.ForeignKey(StandardTemplate, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="changes")
    emergency_criterion = models.CharField(max_length=40, blank=True)

    requester = models.ForeignKey(User, on_delete=models.PROTECT, related_name="requested_changes")
    owner = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="owned_changes")
    team = models.ForeignKey("changemgmt.Team", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="changes", help_text="The requester's team when filed")

    state = FSMField(default=State.DRAFT, choices=State.choices, protected=True, db_index=True)

    # Risk scorecard [002 §3.2-3.3]
    risk_systems = models.PositiveSmallIntegerField(null=True, blank=True)
    risk_users = models.PositiveSmallIntegerField(null=True, blank=True)
    risk_data = models.PositiveSmallIntegerField(null=True, blank=True)
    risk_reversibility = models.PositiveSmallIntegerField(null=True, blank=True)
    risk_security = models.PositiveSmallIntegerField(null=True, blank=True)
    risk_computed = models.CharField(max_length=10, choices=RiskLevel.choices, blank=True)
    risk_override = models.CharField(max_length=10, choices=RiskLevel.choices, blank=True)
    risk_override_reason = models.TextField(blank=True)
    risk_override_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    risk_level = models.CharField(max_length=10, choices=RiskLevel.choices, blank=True, db_index=True,
                                  help_text="Final level: the computed level, or the raised override")

    # Deployment [002 §9.3-9.4]
    predeploy_checklist = models.JSONField(default=dict, blank=True)
    deployment_method = models.CharField(max_length=20, blank=True)
    freeze_justification = models.TextField(blank=True)
    # Verification [002 §8.4]
    verification_checks = models.JSONField(default=dict, blank=True)
    # Close [001]
    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)
    review_answers = models.JSONField(default=dict, blank=True)
    lessons_learned = models.TextField(blank=True)
    closing_reason = models.TextField(blank=True, help_text="Why the change was rejected or cancelled")

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    deployed_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    schedule_sequence = models.PositiveIntegerField(
        default=0, help_text="Bumped on every reschedule; the iCalendar SEQUENCE of the change's event")

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="change_end_after_start",
                condition=Q(planned_start__isnull=True) | Q(planned_end__isnull=True)
                | Q(planned_end__gt=F("planned_start")),
            ),
            *[
                models.CheckConstraint(
                    name=f"change_{field}_1_to_3",
                    condition=Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": 1, f"{field}__lte": 3}),
                )
                for field in ("risk_systems", "risk_users", "risk_data", "risk_reversibility", "risk_security")
            ],
        ]
        indexes = [
            # "My changes" on the dashboard and the owner filter.
            models.Index(fields=["owner", "state"], name="change_owner_state"),
            models.Index(fields=["requester", "state"], name="change_requester_state"),
            # The calendar and the schedule filters.
            models.Index(fields=["planned_start"], name="change_planned_start"),
        ]

    def __str__(self):
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        return f"{REFERENCE_PREFIX}{self.pk:06d}" if self.pk else f"{REFERENCE_PREFIX}new"

    @property
    def risk_scores(self) -> dict:
        return {
            "systems": self.risk_systems, "users": self.risk_users, "data": self.risk_data,
            "reversibility": self.risk_reversibility, "security": self.risk_security,
        }

    @property
    def risk_total(self) -> int | None:
        scores = list(self.risk_scores.values())
        return None if None in scores else sum(scores)

    def extra_approvals(self) -> list[tuple[str, str, str]]:
        """Approvals this change needs beyond the matrix, asked for by approvals.services.sync_slots."""
        from changes.schedule import extra_approvals

        return extra_approvals(self)

    # State machine. Transitions are called only from changes.services, after its gate holds.
    @transition(field=state, source=State.DRAFT, target=State.ASSESSMENT)
    def submit(self):
        pass

    @transition(field=state, source=State.ASSESSMENT, target=State.APPROVAL)
    def assess(self):
        pass

    @transition(field=state, source=State.APPROVAL, target=State.TESTING)
    def approve(self):
        pass

    @transition(field=state, source=State.TESTING, target=State.READY)
    def test(self):
        pass

    @transition(field=state, source=[State.READY, State.APPROVAL, State.ASSESSMENT], target=State.DEPLOYED)
    def deploy(self):
        pass

    @transition(field=state, source=State.DEPLOYED, target=State.VERIFIED)
    def verify(self):
        pass

    @transition(field=state, source=[State.VERIFIED, State.ROLLED_BACK], target=State.CLOSED)
    def close(self):
        pass

    @transition(field=state, source=[State.ASSESSMENT, State.APPROVAL], target=State.REJECTED)
    def reject(self):
        pass

    @transition(field=state, source=[State.DRAFT, State.ASSESSMENT, State.APPROVAL, State.TESTING, State.READY],
                target=State.CANCELLED)
    def cancel(self):
        pass

    @transition(field=state, source=[State.DEPLOYED, State.VERIFIED], target=State.ROLLED_BACK)
    def roll_back(self):
        pass

    @transition(field=state, source=[State.READY], target=State.TESTING)
    def hold(self):
        pass

    @transition(field=state, source=[State.TESTING, State.READY], target=State.APPROVAL)
    def return_to_approval(self):
        """Not a user's step: an approved change whose edit or reschedule needs new approvals waits for
        them again (changes.services)."""


class TestEvidence(models.Model):
    """A test run's result, recorded toward the test gate [002 §8.1, §8.3]."""

    change = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="test_evidence")
    test_type = models.CharField(max_length=20, choices=TestType.choices)
    result = models.CharField(max_length=10, choices=TestResult.choices)
    summary = models.TextField(help_text="What ran and the pass criteria it met")
    evidence_url = models.URLField(blank=True, max_length=500)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["change", "test_type", "-recorded_at"]
        indexes = [models.Index(fields=["change", "test_type"], name="evidence_change_type")]

    def __str__(self):
        return f"{self.get_test_type_display()} {self.result}"


class RollbackRecord(models.Model):
    """What happened when a change was rolled back [002 §10]."""

    change = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="rollbacks")
    severity = models.CharField(max_length=10, choices=Severity.choices)
    trigger = models.CharField(max_length=40)
    kind = models.CharField(max_length=20, choices=RollbackKind.choices)
    decided_at = models.DateTimeField()
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    steps_executed = models.TextField()
    completed_at = models.DateTimeField()
    impact = models.TextField()
    root_cause = models.TextField()
    preventive_measures = models.TextField()
    automatic = models.BooleanField(default=False, help_text="Reported by a pipeline")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-decided_at"]
        constraints = [
            models.CheckConstraint(name="rollback_completed_after_decision",
                                   condition=Q(completed_at__gte=F("decided_at"))),
        ]

    def __str__(self):
        return f"Rollback of {self.change_id} at {self.decided_at:%Y-%m-%d %H:%M}"

    @property
    def minutes_to_complete(self) -> int:
        return int((self.completed_at - self.decided_at).total_seconds() // 60)


class Freeze(models.Model):
    """A period in which changes may not deploy: hard (emergency only) or soft (justification
    and one extra approval). Empty `services` means the freeze covers everything."""

    name = models.CharField(max_length=150)
    reason = models.TextField()
    kind = models.CharField(max_length=10, choices=FreezeKind.choices, default=FreezeKind.HARD)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    services = models.ManyToManyField(Service, blank=True, related_name="freezes")
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(name="freeze_end_after_start", condition=Q(ends_at__gt=F("starts_at"))),
        ]
        indexes = [models.Index(fields=["starts_at", "ends_at"], name="freeze_period")]

    def __str__(self):
        return self.name


class ConfigurationItem(models.Model):
    """A part of a service a change may name (a database, a queue, a host group); two changes on the
    same item, or on the item's service, in overlapping time conflict."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="configuration_items")
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
    changes.calendar_services (admin and API), validated and audited there."""

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
        from changes.schedule import WEEKDAY_NAMES

        return f"{WEEKDAY_NAMES[self.weekday]} {self.starts:%H:%M}-{self.ends:%H:%M} ({', '.join(self.risks)})"


class ChangeConflict(models.Model):
    """Two changes touching the same service or configuration item in overlapping time. Kept up to
    date by changes.conflicts whenever either change is saved; `change` has the lower id."""

    change = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="conflicts_as_first")
    other = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="conflicts_as_second")
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


# The pipeline gate's models (issue 10) live in changes/pipeline/ and belong to this app.
from changes.pipeline.models import ArtefactAllowance, ChangeArtefact, DeployEnvironment, GateDecision  # noqa: E402,F401
