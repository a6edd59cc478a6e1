"""The change request and what hangs off it."""
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django_fsm import FSMField, transition
from simple_history.models import HistoricalRecords

from changes.calendar import schedule
from changes.calendar.models import (  # noqa: F401  (registered here: the calendar's models keep the app label)
    CalendarFeedToken,
    ChangeConflict,
    ConfigurationItem,
    DeploymentWindow,
    Freeze,
)
from changes.choices import (
    Category,
    ChangeType,
    Criticality,
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
    # The ticket a ticketing tool (Jira, ServiceNow…) keeps for this change: unique together, both or neither
    # (issue 10 §8), so the tool can create-or-update it (PUT /api/changes/by-external/{source}/{key}/).
    external_source = models.CharField("external source", max_length=50, null=True, blank=True,
                                       help_text="The ticketing tool, e.g. jira")
    external_key = models.CharField("external key", max_length=100, null=True, blank=True,
                                    help_text="The ticket's key in that tool, e.g. PAY-42")

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

    # Legal hold (issue 11 §8): while set, the retention job purges nothing of this change
    # (audit.retention.services.set_legal_hold is the one write path).
    legal_hold = models.BooleanField(default=False)
    legal_hold_reason = models.TextField(blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["external_source", "external_key"],
                                    name="change_external_reference_unique"),
            models.CheckConstraint(
                name="change_external_reference_pair",
                condition=Q(external_source__isnull=True, external_key__isnull=True)
                | Q(external_source__isnull=False, external_key__isnull=False),
            ),
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
            # The lists' order: a page of 50 reads 50 index entries instead of sorting the whole table.
            models.Index(fields=["-created_at", "-id"], name="change_list_order"),
            # The metrics: changes deployed in a period (with created_at's index, one bitmap OR).
            models.Index(fields=["deployed_at"], name="change_deployed_at"),
            # The CAB agenda's "closed since the last meeting": a week's rows, not the whole history.
            models.Index(fields=["closed_at"], name="change_closed_at"),
            # The CAB agenda's calendar (cab.agenda.CALENDAR_STATES): the changes in flight only, so the
            # range on planned_start skips the closed history (whose planned times all lie before it).
            models.Index(fields=["planned_start"], name="change_calendar_start",
                         condition=Q(state__in=["assessment", "approval", "testing", "ready", "deployed"])),
        ]

    def __str__(self):
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        return f"{REFERENCE_PREFIX}{self.pk:06d}" if self.pk else f"{REFERENCE_PREFIX}new"

    @property
    def external_reference(self) -> str:
        """`source:key` (jira:PAY-42), or empty."""
        return f"{self.external_source}:{self.external_key}" if self.external_key else ""

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
        return schedule.extra_approvals(self)

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

    @transition(field=state, source=[State.ASSESSMENT, State.APPROVAL, State.TESTING, State.READY],
                target=State.DRAFT)
    def return_to_request(self):
        """Not a user's step: a change whose raised risk level its plan no longer satisfies (lead time
        from submission, window) goes back to request, to be re-planned and submitted again
        (changes.services.score_risk)."""


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
        # The metrics: rollbacks completed in a period (time to recover, time to restore).
        indexes = [models.Index(fields=["completed_at"], name="rollback_completed_at")]

    def __str__(self):
        return f"Rollback of {self.change_id} at {self.decided_at:%Y-%m-%d %H:%M}"

    @property
    def minutes_to_complete(self) -> int:
        return int((self.completed_at - self.decided_at).total_seconds() // 60)


# The pipeline gate's models (issue 10) live in changes/pipeline/ and belong to this app.
# Comments, watchers and attachments (issue 12 §4), saved filters (§5) live in sub-packages and belong to this app.
from changes.collaboration.models import Attachment, Comment, Watch  # noqa: E402,F401

# An emergency change's records live in changes/emergency/ and belong to this app (tables kept from approvals).
from changes.emergency.models import (  # noqa: E402,F401
    AuthorizationRequest,
    EmergencyAuthorization,
    EmergencyReview,
    EmergencyStep,
)
from changes.lists.models import SavedFilter  # noqa: E402,F401
from changes.pipeline.models import (  # noqa: E402,F401
    ArtefactAllowance,
    ChangeArtefact,
    DeployEnvironment,
    DeploymentReport,
    GateDecision,
    UnauthorizedDeployment,
)

# The post-implementation review follow-ups (issue 11 §7) belong to this app too.
from changes.review.models import ReviewFollowUp  # noqa: E402,F401
