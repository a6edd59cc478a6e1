"""Bodies of the pipeline API, for the OpenAPI schema and the answers. Nothing here validates input:
the services do (changes.pipeline.services)."""
from drf_spectacular.utils import OpenApiExample
from rest_framework import serializers

from changes.pipeline.choices import Decision


class GateRequestSerializer(serializers.Serializer):
    """What a pipeline asks: may this artefact of this service deploy to this environment now, under this change?"""

    change = serializers.CharField(help_text="The change's reference (CHG-000123) or its external ticket key "
                                             "(PAY-42, the last segment of the change's ticket link).")
    service = serializers.CharField(help_text="Service name; the token must be scoped to it.")
    environment = serializers.CharField(help_text="Deploy environment name (e.g. production).")
    artefact_digest = serializers.CharField(help_text="sha256:<64 lowercase hex digits>")
    pipeline_id = serializers.CharField(help_text="The pipeline (e.g. org/repo/deploy.yml).")
    run_id = serializers.CharField(help_text="The run of the pipeline; asking again for one run is idempotent.")


class GateItemSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable identifier of the unmet condition.")
    message = serializers.CharField()
    policy = serializers.CharField(help_text="The policy section that requires it.")
    blocking = serializers.ChoiceField(choices=[Decision.WAIT, Decision.DENY],
                                       help_text="wait: time, approvals or tests will clear it; deny: never as is.")


class GateDecisionSerializer(serializers.Serializer):
    decision_id = serializers.UUIDField(source="pk")
    decision = serializers.ChoiceField(choices=Decision.choices)
    change = serializers.CharField(source="change.reference")
    service = serializers.CharField(source="service.name")
    environment = serializers.CharField(source="environment.name")
    artefact_digest = serializers.CharField()
    pipeline_id = serializers.CharField()
    run_id = serializers.CharField()
    missing = GateItemSerializer(many=True, help_text="Every unmet item, each with its policy reference.")
    retry_after = serializers.IntegerField(allow_null=True, help_text="Seconds to wait before asking again (wait).")
    decided_at = serializers.DateTimeField()
    ledger_seq = serializers.IntegerField(source="ledger_entry.seq", help_text="The decision's ledger entry.")
    attestation = serializers.JSONField(allow_null=True, help_text="On allow: the DSSE envelope of the signed "
                                        "in-toto deploy attestation (payloadType application/vnd.in-toto+json).")


class GateRefusalSerializer(serializers.Serializer):
    """Any refusal of the gate also says `decision: deny` (fail closed); 400 names the fields."""

    decision = serializers.ChoiceField(choices=[Decision.DENY])
    detail = serializers.CharField(required=False)
    transition = serializers.CharField(required=False, help_text="409: `pipeline`, the refused step.")
    missing = GateItemSerializer(many=True, required=False)


class AllowanceRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="Why this change deploys more than one artefact.")


class AllowanceSerializer(serializers.Serializer):
    change = serializers.CharField(source="change.reference")
    allowed_by = serializers.CharField(source="allowed_by.username")
    reason = serializers.CharField()
    allowed_at = serializers.DateTimeField()


_COMMON = {"change": "CHG-000042", "service": "payments-api", "environment": "production",
           "artefact_digest": "sha256:" + "3f" * 32, "pipeline_id": "payments/deploy.yml", "run_id": "8812",
           "decided_at": "2026-12-01T11:05:00Z", "ledger_seq": 1207}
EXAMPLES = [
    OpenApiExample("Request", request_only=True, value={key: _COMMON[key] for key in GateRequestSerializer().fields}),
    OpenApiExample("Allow", response_only=True, value={
        **_COMMON, "decision_id": "5b0c6c1e-8f0a-4c55-9d51-5d1f7a0e2c11", "decision": "allow", "missing": [],
        "retry_after": None, "attestation": {"payloadType": "application/vnd.in-toto+json", "payload": "eyJfdHlwZSI6…",
                                             "signatures": [{"keyid": "9a1c3e5f7b2d4c6e", "sig": "MEUCIQ…"}]}}),
    OpenApiExample("Wait", response_only=True, description="Retry-After: 60", value={
        **_COMMON, "decision_id": "0d6f9a52-2b51-4f0e-a1c4-0e6b7a9c3d21", "decision": "wait", "retry_after": 60,
        "attestation": None, "missing": [{"code": "approval_manager_1", "message": "Manager approval #1 is pending "
                                          "(Medium risk).", "policy": "POLICY §3", "blocking": "wait"}]}),
    OpenApiExample("Deny", response_only=True, value={
        **_COMMON, "decision_id": "e7a4f0b3-6c2d-4a18-b9e5-3f1d2c0a9b87", "decision": "deny", "retry_after": None,
        "attestation": None, "missing": [{"code": "hard_freeze", "message": "Hard freeze “Year end” (…) allows "
                                          "emergency changes only.", "policy": "POLICY §6 freezes",
                                          "blocking": "deny"}]}),
]


class DeploymentReportRequestSerializer(serializers.Serializer):
    """One stage of a rollout with its health. Only parses: changes.pipeline.services.reports validates."""

    change = serializers.CharField(help_text="The change's reference or external ticket key.")
    service = serializers.CharField()
    environment = serializers.CharField()
    artefact_digest = serializers.CharField(help_text="sha256:<64 lowercase hex digits>, allowed by the gate.")
    pipeline_id = serializers.CharField()
    run_id = serializers.CharField()
    stage = serializers.IntegerField(help_text="Percentage of traffic, from the policy's sequence (default 1, 5, "
                                               "20, 100), in order; after a hold, the same stage again.")
    error_rate_percent = serializers.FloatField()
    p95_latency_ms = serializers.IntegerField()
    alert_count = serializers.IntegerField()


class HealthReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    policy = serializers.CharField()


class DeploymentAnswerSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["continue", "hold", "roll_back"])
    next_stage = serializers.IntegerField(allow_null=True, help_text="continue: the stage to report next "
                                          "(null after 100 %: the verify step is open).")
    reasons = HealthReasonSerializer(many=True)
    change = serializers.CharField()
    change_state = serializers.CharField()
    stage = serializers.IntegerField()
    ledger_seq = serializers.IntegerField()


class UnauthorizedSerializer(serializers.Serializer):
    unauthorized = serializers.BooleanField()
    detail = serializers.CharField()
    detected_at = serializers.DateTimeField()
    ledger_seq = serializers.IntegerField()


_REPORT = {"change": "CHG-000042", "service": "payments-api", "environment": "production",
           "artefact_digest": "sha256:" + "3f" * 32, "pipeline_id": "payments/deploy.yml", "run_id": "8812"}
_ANSWER = {"change": "CHG-000042", "change_state": "deployed", "ledger_seq": 1210}
REPORT_EXAMPLES = [
    OpenApiExample("Report", request_only=True, value={**_REPORT, "stage": 5, "error_rate_percent": 0.2,
                                                       "p95_latency_ms": 310, "alert_count": 0}),
    OpenApiExample("Continue", response_only=True, status_codes=["200"], value={
        **_ANSWER, "action": "continue", "next_stage": 20, "reasons": [], "stage": 5}),
    OpenApiExample("Hold", response_only=True, status_codes=["200"], value={
        **_ANSWER, "action": "hold", "next_stage": None, "stage": 5, "reasons": [{
            "code": "error_rate_percent_warning", "message": "Error rate 1.8% is above the warning budget 1%.",
            "policy": "POLICY §10 health budgets [004 §4.6]"}]}),
    OpenApiExample("Roll back", response_only=True, status_codes=["200"], value={
        **_ANSWER, "change_state": "rolled_back", "action": "roll_back", "next_stage": None, "stage": 5,
        "reasons": [{"code": "p95_latency_ms_critical", "message": "p95 latency 6200 ms is above the critical "
                     "budget 5000 ms.", "policy": "POLICY §10 health budgets [004 §4.6]"}]}),
    OpenApiExample("Unauthorized", response_only=True, status_codes=["409"], value={
        "unauthorized": True, "detail": "No change allows sha256:3f3f… for payments-api in production.",
        "detected_at": "2026-12-01T11:07:00Z", "ledger_seq": 1211}),
]
