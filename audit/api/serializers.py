"""The audit API's shapes (documentation for the schema, and the legal hold's input)."""
from rest_framework import serializers

from audit.population import ATTRIBUTES
from audit.retention.models import Tombstone
from changemgmt.ledger.models import LedgerEntry


class AuditLedgerEntrySerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_name")

    class Meta:
        model = LedgerEntry
        fields = ["seq", "recorded_at", "actor", "action", "subject", "payload", "prev_hash", "entry_hash"]


class LedgerPageSerializer(serializers.Serializer):
    results = AuditLedgerEntrySerializer(many=True)
    next_before = serializers.IntegerField(allow_null=True,
                                           help_text="Pass as `before` for the next (older) page; null on the last")


YES_NO = "`yes`, `no`, or `n/a` (the change never reached that step)"


class PopulationRowSerializer(serializers.Serializer):
    reference = serializers.CharField()
    title = serializers.CharField()
    type = serializers.CharField()
    risk = serializers.CharField()
    state = serializers.CharField()
    created_at = serializers.CharField()
    deployed_at = serializers.CharField()
    emergency_paperwork_on_time = serializers.CharField(help_text=YES_NO)
    exceptions = serializers.CharField(help_text="The rules the change broke, `; `-separated")


for _name in ATTRIBUTES:
    PopulationRowSerializer._declared_fields[_name] = serializers.CharField(help_text=YES_NO)


class PopulationSerializer(serializers.Serializer):
    start = serializers.DateField(help_text="`from`, included")
    end = serializers.DateField(help_text="`to`, included")
    rows = PopulationRowSerializer(many=True)


class ExceptionSerializer(serializers.Serializer):
    reference = serializers.CharField()
    rule = serializers.CharField()
    policy = serializers.CharField()
    message = serializers.CharField()


class TombstoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tombstone
        fields = ["id", "kind", "object_id", "change", "reference", "record_date", "purged_at", "content_sha256"]


class LegalHoldInput(serializers.Serializer):
    hold = serializers.BooleanField(help_text="true places the hold, false releases it")
    reason = serializers.CharField(allow_blank=True, help_text="Why (required)")


class LegalHoldSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    legal_hold = serializers.BooleanField()
    legal_hold_reason = serializers.CharField()
