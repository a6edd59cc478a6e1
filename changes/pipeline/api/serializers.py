"""Bodies of the pipeline API, for the OpenAPI schema and the answers. Nothing here validates input:
the services do (changes.pipeline.services)."""
from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from changes.pipeline.choices import Decision


class GateRequestSerializer(serializers.Serializer):
    """What a pipeline asks: may this artefact of this service deploy to this environment now, under this change?"""

    change = serializers.CharField(help_text="The change's reference (CHG-000123), its external reference "
                                             "(jira:PAY-42, or PAY-42 when one tool has that key), or the key of "
                                             "its ticket link (PAY-42, the link's last segment).")
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


@extend_schema_serializer(examples=[OpenApiExample("Two images", request_only=True, value={
    "reason": "The API and its migration job ship as two images."})])
class AllowanceRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="Why this change deploys more than one artefact.")


@extend_schema_serializer(examples=[OpenApiExample("Allowed", response_only=True, value={
    "change": "CHG-000042", "allowed_by": "olivia.ops", "reason": "The API and its migration job ship as two images.",
    "allowed_at": "2026-12-01T10:00:00Z"})])
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


class OpenChangeRequestSerializer(serializers.Serializer):
    """A pipeline opens its own standard change. Only parses: changes.pipeline.services validates."""

    template = serializers.CharField(help_text="The catalog template: its id or its name.")
    service = serializers.CharField(help_text="The service the change touches; the token must be scoped to it.")
    planned_start = serializers.DateTimeField()
    planned_end = serializers.DateTimeField()
    title = serializers.CharField(required=False, help_text="Defaults to the template's name.")
    description = serializers.CharField(required=False, help_text="Defaults to the template's description.")
    business_justification = serializers.CharField(required=False, help_text="Required by the submit gate.")
    impact_systems = serializers.CharField(required=False, help_text="Required by the submit gate.")
    impact_users = serializers.CharField(required=False, help_text="Required by the submit gate.")
    ticket_url = serializers.CharField(required=False)
    pr_url = serializers.CharField(required=False)
    external_source = serializers.CharField(required=False, help_text="With external_key: the ticket it follows.")
    external_key = serializers.CharField(required=False)


class OpenChangeAnswerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    change = serializers.CharField(help_text="The reference to ask the gate with.")
    state = serializers.CharField(help_text="testing: pre-approved; tests and the schedule remain.")
    change_type = serializers.CharField()
    risk_level = serializers.CharField()
    template = serializers.IntegerField()
    ledger_seq = serializers.IntegerField(help_text="The `pipeline.change_opened` ledger entry.")


OPEN_EXAMPLES = [
    OpenApiExample("Open from the catalog", request_only=True, value={
        "template": "Patch-level dependency update", "service": "payments-api",
        "planned_start": "2026-12-08T11:00:00Z", "planned_end": "2026-12-08T12:00:00Z",
        "business_justification": "Security patch of a dependency.", "impact_systems": "payments-api",
        "impact_users": "None expected", "external_source": "github", "external_key": "payments-8812"}),
    OpenApiExample("Opened, pre-approved", response_only=True, status_codes=["201"], value={
        "id": 42, "change": "CHG-000042", "state": "testing", "change_type": "standard", "risk_level": "low",
        "template": 2, "ledger_seq": 1207}),
    OpenApiExample("The template's conditions do not hold", response_only=True, status_codes=["409"], value={
        "detail": "Submit is not possible yet.", "transition": "submit", "missing": [{
            "code": "outside_window", "message": "The planned start is outside every deployment window for low risk.",
            "policy": "POLICY §4 submit"}]}),
]
