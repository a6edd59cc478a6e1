"""The policy pack's API shapes (documentation and input)."""
from rest_framework import serializers

from changemgmt.policy_pack import FORMAT, FORMAT_VERSION


class PackSerializer(serializers.Serializer):
    format = serializers.CharField(help_text=f"Always {FORMAT!r}")
    format_version = serializers.IntegerField(help_text=f"{FORMAT_VERSION}: the version this application writes")
    policy_revision = serializers.IntegerField(required=False, help_text="The revision exported (export only)")
    exported_at = serializers.CharField(required=False)
    settings = serializers.DictField(child=serializers.JSONField(),
                                     help_text="Policy keys and values; a pack may hold only some keys")


class ImportSerializer(PackSerializer):
    expected_revision = serializers.IntegerField(
        required=False, min_value=0,
        help_text="The revision the preview was judged at: 409 if the policy changed since")


class DiffRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    reference = serializers.CharField()
    # "from"/"to" are added below ("from" is a Python keyword).


DiffRowSerializer._declared_fields["from"] = serializers.JSONField()
DiffRowSerializer._declared_fields["to"] = serializers.JSONField()


class EffectSerializer(serializers.Serializer):
    change_id = serializers.IntegerField()
    reference = serializers.CharField()
    title = serializers.CharField()
    state = serializers.CharField()
    risk_before = serializers.CharField()
    risk_after = serializers.CharField()
    more_approvals = serializers.ListField(child=serializers.CharField())
    fewer_approvals = serializers.ListField(child=serializers.CharField())
    outside_schedule = serializers.ListField(child=serializers.CharField(),
                                             help_text="Windows and lead time the plan would miss")
    held = serializers.ListField(child=serializers.CharField(), help_text="Hard freezes that would hold it")


class DryRunSerializer(serializers.Serializer):
    open_changes = serializers.IntegerField()
    effects = EffectSerializer(many=True)


class PreviewSerializer(serializers.Serializer):
    revision = serializers.IntegerField()
    diff = DiffRowSerializer(many=True)
    problems = serializers.ListField(child=serializers.CharField(),
                                     help_text="Why an import would be refused (empty: it would be accepted)")
    dry_run = DryRunSerializer(allow_null=True)


class ImportResultSerializer(serializers.Serializer):
    revision = serializers.IntegerField()
    changed = serializers.ListField(child=serializers.CharField())
