"""What a pipeline reports of a rollout: each stage of a change's deployment with its health, and each
deployment of an artefact no change allowed (an unauthorized change)."""
from django.db import models

from changes.pipeline.models import DIGEST_MAX


class Action(models.TextChoices):
    """The answer to a stage report. continue: healthy, go to the next stage. hold: a warning; do not
    advance, report this stage again. roll_back: critical; the change was rolled back."""

    CONTINUE = "continue", "Continue"
    HOLD = "hold", "Hold"
    ROLL_BACK = "roll_back", "Roll back"


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
        app_label = "changes"
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
        app_label = "changes"
        ordering = ["-detected_at"]
        indexes = [models.Index(fields=["detected_at"], name="unauthorized_detected")]

    def __str__(self):
        return f"Unauthorized {self.artefact_digest[:19]}… of {self.service_id} in {self.environment_id}"
