"""What the pipeline gate keeps: the environments it gates, each decision it made, the artefacts
allowed under a change, and a change's permission to carry more than one artefact; and what a pipeline
reports of a rollout: each stage of a change's deployment with its health, and each deployment of an
artefact no change allowed (an unauthorized change)."""
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from changes.pipeline.choices import Action, Decision

DIGEST_MAX = 71  # "sha256:" + 64 hex digits


class DeployEnvironment(models.Model):
    """An environment a pipeline deploys to and the gate governs (e.g. production). A gate request
    naming any other environment is refused with 400."""

    name = models.SlugField(max_length=50, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        app_label = "changes"
        ordering = ["name"]

    def __str__(self):
        return self.name


class GateDecision(models.Model):
    """One answer of the gate to one pipeline run. Polls of the same run get this row back until the
    change moves (its state, or what the gate finds missing): `fingerprint` hashes both, and the unique
    constraint makes concurrent polls share one row (and one ledger entry)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    pipeline_id = models.CharField(max_length=200)
    run_id = models.CharField(max_length=200)
    environment = models.ForeignKey(DeployEnvironment, on_delete=models.PROTECT, related_name="decisions")
    change = models.ForeignKey("changes.ChangeRequest", on_delete=models.PROTECT, related_name="gate_decisions")
    service = models.ForeignKey("changes.Service", on_delete=models.PROTECT, related_name="gate_decisions")
    artefact_digest = models.CharField(max_length=DIGEST_MAX)
    change_state = models.CharField(max_length=20)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the state, the outcome and the missing codes")
    decision = models.CharField(max_length=5, choices=Decision.choices)
    missing = models.JSONField(default=list, help_text="[{code, message, policy, blocking}]")
    retry_after = models.PositiveIntegerField(null=True, blank=True, help_text="Seconds, for wait")
    token = models.ForeignKey("changemgmt.ApiToken", null=True, on_delete=models.SET_NULL, related_name="+")
    ledger_entry = models.OneToOneField("changemgmt.LedgerEntry", on_delete=models.PROTECT, related_name="+")
    attestation = models.JSONField(null=True, blank=True, help_text="DSSE envelope of an allow")
    decided_at = models.DateTimeField()
    stamp = models.CharField(max_length=64, blank=True, default="", help_text=(
        "SHA-256 of the inputs this answer was last confirmed from (changes.pipeline.selectors.stamp_of), "
        "while the answer does not depend on the clock; empty otherwise. At most one decision of a run has "
        "one: a repeated poll whose stamp still matches gets this decision without re-evaluating."))

    class Meta:
        app_label = "changes"
        ordering = ["-decided_at"]
        constraints = [
            models.UniqueConstraint(fields=["pipeline_id", "run_id", "environment", "change", "change_state",
                                            "fingerprint"], name="gate_decision_one_per_run_and_version"),
        ]
        # The change page's "pipeline decisions" and the invariants read decisions per change, newest first.
        indexes = [models.Index(fields=["change", "decided_at"], name="gate_decision_change")]

    def __str__(self):
        return f"{self.decision} {self.pipeline_id}#{self.run_id} → {self.environment_id}"


class ChangeArtefact(models.Model):
    """An artefact (by digest) the gate allowed to deploy under a change. A second digest under the same
    change is denied unless the change carries an ArtefactAllowance."""

    change = models.ForeignKey("changes.ChangeRequest", on_delete=models.PROTECT, related_name="artefacts")
    digest = models.CharField(max_length=DIGEST_MAX)
    decision = models.ForeignKey(GateDecision, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        app_label = "changes"
        ordering = ["recorded_at", "id"]
        constraints = [models.UniqueConstraint(fields=["change", "digest"], name="change_artefact_unique")]

    def __str__(self):
        return f"{self.digest} of change {self.change_id}"


class ArtefactAllowance(models.Model):
    """A change allowed to deploy more than one artefact (several images, a rebuilt fix), with who
    allowed it and why."""

    change = models.OneToOneField("changes.ChangeRequest", on_delete=models.PROTECT, related_name="artefact_allowance")
    allowed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    allowed_at = models.DateTimeField()

    class Meta:
        app_label = "changes"
        ordering = ["-allowed_at"]
        constraints = [models.CheckConstraint(name="artefact_allowance_reason", condition=~Q(reason=""))]

    def __str__(self):
        return f"Several artefacts for change {self.change_id}"


class DeploymentReport(models.Model):
    """One stage of a change's rollout as the pipeline reported it, with its health and the answer."""

    change = models.ForeignKey("changes.ChangeRequest", on_delete=models.PROTECT, related_name="deployment_reports")
    service = models.ForeignKey("changes.Service", on_delete=models.PROTECT, related_name="+")
    environment = models.ForeignKey("changes.DeployEnvironment", on_delete=models.PROTECT, related_name="+")
    artefact_digest = models.CharField(max_length=DIGEST_MAX)
    pipeline_id = models.CharField(max_length=200)
    run_id = models.CharField(max_length=200)
    stage = models.PositiveSmallIntegerField(help_text="Percentage of traffic")
    error_rate_percent = models.FloatField()
    p95_latency_ms = models.PositiveIntegerField()
    alert_count = models.PositiveIntegerField()
    action = models.CharField(max_length=10, choices=Action.choices)
    reasons = models.JSONField(default=list, help_text="[{code, message, policy}] of a hold or a roll back")
    rollback = models.OneToOneField("changes.RollbackRecord", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="deployment_report")
    token = models.ForeignKey("changemgmt.ApiToken", null=True, on_delete=models.SET_NULL, related_name="+")
    ledger_entry = models.OneToOneField("changemgmt.LedgerEntry", on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField()

    class Meta:
        ordering = ["reported_at", "id"]
        indexes = [models.Index(fields=["change", "environment", "reported_at"], name="deployment_report_change")]

    def __str__(self):
        return f"{self.stage} % of change {self.change_id}: {self.action}"


class UnauthorizedDeployment(models.Model):
    """A deployment reported for an artefact no change allowed for that service and environment: the
    detection record, shown to security and on the next CAB agenda."""

    service = models.ForeignKey("changes.Service", on_delete=models.PROTECT, related_name="+")
    environment = models.ForeignKey("changes.DeployEnvironment", on_delete=models.PROTECT, related_name="+")
    artefact_digest = models.CharField(max_length=DIGEST_MAX)
    pipeline_id = models.CharField(max_length=200)
    run_id = models.CharField(max_length=200)
    named_change = models.CharField(max_length=200, blank=True, help_text="The change the pipeline named")
    stage = models.PositiveSmallIntegerField()
    token = models.ForeignKey("changemgmt.ApiToken", null=True, on_delete=models.SET_NULL, related_name="+")
    ledger_entry = models.OneToOneField("changemgmt.LedgerEntry", on_delete=models.PROTECT, related_name="+")
    detected_at = models.DateTimeField()

    class Meta:
        ordering = ["-detected_at"]
        indexes = [models.Index(fields=["detected_at"], name="unauthorized_detected")]

    def __str__(self):
        return f"Unauthorized {self.artefact_digest[:19]}… of {self.service_id} in {self.environment_id}"
