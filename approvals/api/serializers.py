"""Output of approval slots, and the documented body of a decision (the service validates it)."""
from datetime import UTC

from rest_framework import serializers

from approvals.choices import DecisionChannel, SlotRole, SlotStatus, Verdict
from approvals.models import ApprovalSlot
from changemgmt.api.schema import ReadModelSerializer
from changemgmt.api.strict import Day, StrictSerializer, Text


class SlotSerializer(ReadModelSerializer):
    """One required decision; `decided_by` is the username, null while pending."""

    role_label = serializers.CharField(source="get_role_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = ApprovalSlot
        fields = ["id", "change", "role", "role_label", "ordinal", "rule", "policy", "status", "status_label",
                  "decided_by", "decided_at", "reason", "due_at", "channel"]
        read_only_fields = fields


class SlotSummarySerializer(serializers.Serializer):
    """Counts of a change's live slots by status, with the slots themselves."""

    pending = serializers.IntegerField()
    granted = serializers.IntegerField()
    rejected = serializers.IntegerField()
    slots = SlotSerializer(many=True)

    @staticmethod
    def summarize(slots) -> dict:
        live = [slot for slot in slots if slot.status != SlotStatus.SUPERSEDED]
        counts = {status: sum(1 for slot in live if slot.status == status)
                  for status in (SlotStatus.PENDING, SlotStatus.GRANTED, SlotStatus.REJECTED)}
        return {**counts, "slots": slots}


class DecisionRequestSerializer(serializers.Serializer):
    """Grant or reject one slot. A rejection needs a reason, and rejects the change."""

    verdict = serializers.ChoiceField(choices=Verdict.choices)
    reason = serializers.CharField(required=False, allow_blank=True,
                                   help_text="Why; required when rejecting.")


class QueueSlotSerializer(serializers.Serializer):
    """A slot in "My approvals": its SLA clock, and whether (and on whose behalf) I may decide it."""

    id = serializers.IntegerField()
    change = serializers.IntegerField()
    change_reference = serializers.CharField()
    change_title = serializers.CharField()
    role = serializers.ChoiceField(choices=SlotRole.choices)
    ordinal = serializers.IntegerField()
    rule = serializers.CharField(help_text="Why this slot is required.")
    policy = serializers.CharField(help_text="Policy reference of the rule.")
    status = serializers.ChoiceField(choices=SlotStatus.choices)
    # Renders approvals.selectors.QueueRow; times in UTC, as stored.
    due_at = serializers.DateTimeField(allow_null=True, default_timezone=UTC)
    sla = serializers.CharField(help_text='"due in 5 business hours", "overdue by 1 day"; empty once decided.')
    sla_colour = serializers.ChoiceField(choices=["green", "amber", "red", "grey"])
    decided_by = serializers.CharField(allow_null=True)
    on_behalf_of = serializers.CharField(allow_null=True, help_text="Whose role the decider used, by delegation.")
    channel = serializers.ChoiceField(choices=["", *DecisionChannel.values],
                                      help_text="How the decision was made (empty while pending).")
    may_decide = serializers.BooleanField()
    refusals = serializers.ListField(child=serializers.CharField(), help_text="Why I may not decide it.")
    acting_for = serializers.CharField(allow_null=True, help_text="The away colleague whose role I would use.")


class DelegationRequestSerializer(StrictSerializer):
    """Hand my approval roles to a colleague while I am away (dates inclusive, organisation time zone).
    Strict: the view validates the body with it (changemgmt.api.strict)."""

    delegate = Text(help_text="Username of the colleague.", max_length=150)
    starts_on = Day()
    ends_on = Day()
    reason = Text(required=False, allow_blank=True, max_length=200, default="")


class DelegationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    delegate = serializers.CharField(source="delegate.username")
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
