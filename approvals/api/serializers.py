"""Output of approval slots, and the documented body of a decision (the service validates it)."""
from rest_framework import serializers

from approvals.choices import SlotStatus, Verdict
from approvals.models import ApprovalSlot


class SlotSerializer(serializers.ModelSerializer):
    """One required decision; `decided_by` is the username, null while pending."""

    role_label = serializers.CharField(source="get_role_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ApprovalSlot
        fields = ["id", "change", "role", "role_label", "ordinal", "rule", "policy", "status", "status_label",
                  "decided_by", "decided_at", "reason", "due_at"]
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
