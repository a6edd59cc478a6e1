"""API output for change requests, and the documented request bodies.

Serializers here only render: every input goes to a service as it came (changes.services validates
it with changes.forms), so the request serializers below exist for the OpenAPI schema alone and are
derived from those forms."""
from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from approvals.api.serializers import SlotSummarySerializer
from changemgmt.api.schema import ReadModelSerializer, request_schema
from changemgmt.models import LedgerEntry
from changes import forms
from changes.api import representation
from changes.models import ChangeRequest, RollbackRecord, Service, TestEvidence
from changes.risk import FACTORS


class PersonSerializer(ReadModelSerializer):
    name = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = get_user_model()
        fields = ["id", "username", "name"]
        read_only_fields = fields


class ServiceSerializer(ReadModelSerializer):
    class Meta:
        model = Service
        fields = ["id", "name", "criticality"]
        read_only_fields = fields


class RiskScoresSerializer(serializers.Serializer):
    systems = serializers.IntegerField(allow_null=True)
    users = serializers.IntegerField(allow_null=True)
    data = serializers.IntegerField(allow_null=True)
    reversibility = serializers.IntegerField(allow_null=True)
    security = serializers.IntegerField(allow_null=True)


class RiskSerializer(serializers.Serializer):
    """The scorecard: `computed` from the scores, `override` a reviewer's raise, `final` what counts."""

    scores = RiskScoresSerializer(source="risk_scores")
    total = serializers.IntegerField(source="risk_total", allow_null=True)
    computed = serializers.CharField(source="risk_computed")
    override = serializers.CharField(source="risk_override")
    override_reason = serializers.CharField(source="risk_override_reason")
    override_by = serializers.CharField(source="risk_override_by.username", default=None, allow_null=True)
    final = serializers.CharField(source="risk_level")


class ChangeSummarySerializer(ReadModelSerializer):
    """The fields of a change list row, through DRF's generic field-by-field rendering."""

    reference = serializers.CharField(read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    owner = PersonSerializer(read_only=True)
    requester = PersonSerializer(read_only=True)
    services = ServiceSerializer(many=True, read_only=True)

    class Meta:
        model = ChangeRequest
        fields = ["id", "reference", "title", "state", "state_label", "change_type", "category", "risk_level",
                  "owner", "requester", "services", "planned_start", "planned_end", "created_at", "updated_at",
                  "external_source", "external_key"]
        read_only_fields = fields


class ChangeRowsSerializer(serializers.ListSerializer):
    """The API list's page: rows from changes.api.selectors.page_rows, one time zone for all."""

    def to_representation(self, data):
        stamp = representation.stamper()
        return [representation.list_row(row, stamp) for row in data]


class ChangeListSerializer(ChangeSummarySerializer):
    """A row of the change list: what the web list shows."""

    # The docstring above is the schema's description. The fields are declared for the schema; rows
    # are rendered by hand (changes.api.representation.list_row, from ChangeRowsSerializer).
    class Meta(ChangeSummarySerializer.Meta):
        list_serializer_class = ChangeRowsSerializer

    def to_representation(self, instance):
        return representation.list_row(instance, representation.stamper())


class TestEvidenceSerializer(ReadModelSerializer):
    recorded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    evidence_url = serializers.CharField(read_only=True, help_text="A web link (https://…), or empty")

    class Meta:
        model = TestEvidence
        fields = ["id", "test_type", "result", "summary", "evidence_url", "recorded_by", "recorded_at"]
        read_only_fields = fields


class RollbackSerializer(ReadModelSerializer):
    class Meta:
        model = RollbackRecord
        fields = ["id", "severity", "trigger", "kind", "decided_at", "reason", "steps_executed", "completed_at",
                  "impact", "root_cause", "preventive_measures", "automatic"]
        read_only_fields = fields


class ChangeDetailSerializer(ChangeSummarySerializer):
    """One change with its scorecard, approvals, test evidence and rollbacks. Fetch it through
    changes.selectors.change_detail_queryset so nothing here queries per row."""

    team = serializers.SlugRelatedField(slug_field="name", read_only=True, allow_null=True)
    template = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    # Web links (https://…), or empty: "" is not a URI, so the schema does not promise one.
    ticket_url = serializers.CharField(read_only=True)
    pr_url = serializers.CharField(read_only=True)
    risk = serializers.SerializerMethodField()
    approvals = serializers.SerializerMethodField()
    test_evidence = TestEvidenceSerializer(many=True, read_only=True)
    rollbacks = RollbackSerializer(many=True, read_only=True)

    class Meta(ChangeSummarySerializer.Meta):
        fields = ChangeSummarySerializer.Meta.fields + [
            "description", "business_justification", "impact_systems", "impact_users", "implementation_plan",
            "test_plan", "rollback_plan", "ticket_url", "pr_url", "security_triggers", "emergency_criterion",
            "freeze_justification", "team", "template", "risk", "approvals", "test_evidence",
            "predeploy_checklist", "deployment_method", "verification_checks", "outcome", "review_answers",
            "lessons_learned", "closing_reason", "rollbacks", "submitted_at", "approved_at", "deployed_at",
            "verified_at", "closed_at"]
        read_only_fields = fields

    @extend_schema_field(RiskSerializer)
    def get_risk(self, change):
        return RiskSerializer(change).data

    @extend_schema_field(SlotSummarySerializer)
    def get_approvals(self, change):
        return SlotSummarySerializer(SlotSummarySerializer.summarize(list(change.approval_slots.all()))).data


class ChangeSavedSerializer(ChangeDetailSerializer):
    """The change after an edit, with notices such as a standard change turned normal."""

    notices = serializers.SerializerMethodField()

    class Meta(ChangeDetailSerializer.Meta):
        fields = ChangeDetailSerializer.Meta.fields + ["notices"]
        read_only_fields = fields

    def get_notices(self, change) -> list[str]:
        return list(self.context.get("notices", []))


class TransitionSerializer(serializers.Serializer):
    """One transition out of the current state. `allowed` = `permitted` and nothing `missing`.
    `missing` is computed without the transition's input: items the input supplies (a checklist,
    an outcome) appear until it is sent."""

    name = serializers.CharField()
    label = serializers.CharField()
    allowed = serializers.BooleanField()
    permitted = serializers.BooleanField(help_text="Whether your roles allow this transition on this change.")
    missing = serializers.ListField(child=serializers.DictField(child=serializers.CharField()),
                                    help_text="Each unmet gate condition: {code, message, policy}.")


class LedgerEntrySerializer(ReadModelSerializer):
    actor = serializers.CharField(source="actor_name", read_only=True)

    class Meta:
        model = LedgerEntry
        fields = ["seq", "recorded_at", "actor", "action", "subject", "payload", "prev_hash", "entry_hash"]
        read_only_fields = fields


# Request bodies, for the schema only (derived from the forms the services validate with).
ChangeRequestBody = request_schema(
    forms.ChangeForm, "ChangeInput", required=("title",),
    doc="Fields of a change request. Unknown fields are refused with 400 naming them. On create, "
        "`template` (a standard template id) makes a pre-approved standard change.",
    template=serializers.IntegerField(required=False, help_text="Standard template id (create only)."),
)
ChangeUpdateBody = request_schema(forms.ChangeForm, "ChangeUpdate",
                                  doc="Any subset of the change's fields; absent fields keep their value.")
RiskRequestBody = request_schema(forms.RiskForm, "RiskScorecardInput", required=tuple(FACTORS),
                                 doc="Five factors scored 1-3; `override` may only raise the computed level and "
                                     "needs `override_reason`.")
TestEvidenceRequestBody = request_schema(forms.TestEvidenceForm, "TestEvidenceInput",
                                         required=("test_type", "result", "summary"))
TRANSITION_BODIES = {
    "deploy": request_schema(forms.DeployForm, "DeployInput",
                             doc="`predeploy_checklist`: the codes of the checklist items done; "
                                 "`deployment_method`: blue_green, canary, rolling or feature_flag."),
    "verify": request_schema(forms.VerifyForm, "VerifyInput",
                             doc="`verification_checks`: the codes of the production checks that passed."),
    "close": request_schema(
        forms.CloseForm, "CloseInput", doc="Outcome and the post-implementation review.",
        review_answers=serializers.DictField(child=serializers.BooleanField(), required=False,
                                             help_text="{review item code: true/false}")),
    "roll_back": request_schema(forms.RollbackForm, "RollbackInput", doc="The POLICY §8 rollback record."),
    "reject": request_schema(forms.ReasonForm, "RejectInput", required=("reason",), doc="Why."),
    "cancel": request_schema(forms.ReasonForm, "CancelInput", required=("reason",), doc="Why."),
    "hold": request_schema(forms.ReasonForm, "HoldInput", required=("reason",), doc="Why."),
}
