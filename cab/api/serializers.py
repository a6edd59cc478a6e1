"""Output and input shapes of the CAB API. Serializers only shape data; rules live in services."""
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cab.models import ActionItem, AgendaItem, Attendance, Decision, Meeting, Vote


class VoteSerializer(serializers.ModelSerializer):
    voter = serializers.CharField(source="voter.username")

    class Meta:
        model = Vote
        fields = ["id", "voter", "choice", "comment", "cast_at", "changed_at"]


class DecisionSerializer(serializers.ModelSerializer):
    decided_by = serializers.CharField(source="decided_by.username")

    class Meta:
        model = Decision
        fields = ["outcome", "reason", "conditions", "tally", "decided_by", "decided_at"]


class ItemSerializer(serializers.ModelSerializer):
    votes = VoteSerializer(many=True, read_only=True)
    decision = serializers.SerializerMethodField()
    change_url = serializers.SerializerMethodField()

    class Meta:
        model = AgendaItem
        fields = ["id", "meeting", "section", "position", "title", "note", "change", "change_url", "slot",
                  "needs_decision", "snapshot", "votes", "decision"]

    @extend_schema_field(DecisionSerializer(allow_null=True))
    def get_decision(self, item):
        try:
            return DecisionSerializer(item.decision).data
        except Decision.DoesNotExist:
            return None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_change_url(self, item):
        return f"/changes/{item.change_id}/" if item.change_id else None


class AttendanceSerializer(serializers.ModelSerializer):
    user = serializers.CharField(source="user.username")

    class Meta:
        model = Attendance
        fields = ["user", "seat", "deputy", "present"]


class MeetingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Meeting
        fields = ["id", "kind", "title", "starts_at", "ends_at", "status", "reason", "emergency_change", "freeze",
                  "agenda_generated_at", "started_at", "ended_at"]


class MeetingDetailSerializer(MeetingSerializer):
    items = ItemSerializer(many=True, read_only=True)
    attendance = AttendanceSerializer(many=True, read_only=True)

    class Meta(MeetingSerializer.Meta):
        fields = MeetingSerializer.Meta.fields + ["since", "items", "attendance"]


class ActionItemSerializer(serializers.ModelSerializer):
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ActionItem
        fields = ["id", "kind", "title", "details", "owner", "due_on", "status", "meeting", "change", "created_at",
                  "closed_at"]


class VoteInput(serializers.Serializer):
    choice = serializers.CharField()
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class DecisionInput(serializers.Serializer):
    outcome = serializers.CharField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    conditions = serializers.CharField(required=False, allow_blank=True, default="")


class EmergencyInput(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)
    change = serializers.IntegerField(required=False, allow_null=True, default=None)
    starts_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class AttendanceInput(serializers.Serializer):
    present = serializers.ListField(child=serializers.IntegerField())


class ItemInput(serializers.Serializer):
    change = serializers.IntegerField(required=False, allow_null=True, default=None)
    title = serializers.CharField(required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ReorderInput(serializers.Serializer):
    items = serializers.ListField(child=serializers.IntegerField())


class ActionInput(serializers.Serializer):
    kind = serializers.CharField(required=False, default="action")
    title = serializers.CharField(allow_blank=True)
    details = serializers.CharField(required=False, allow_blank=True, default="")
    owner = serializers.IntegerField(required=False, allow_null=True, default=None)
    due_on = serializers.DateField(required=False, allow_null=True, default=None)
    meeting = serializers.IntegerField(required=False, allow_null=True, default=None)
    change = serializers.IntegerField(required=False, allow_null=True, default=None)


class NotesInput(serializers.Serializer):
    notes = serializers.CharField(allow_blank=True, help_text="The chair's notes, before publication")


class MinutesSerializer(serializers.Serializer):
    """The minutes of a meeting: the published Markdown record, or a live draft before publication."""

    meeting = serializers.IntegerField()
    published = serializers.BooleanField()
    published_at = serializers.DateTimeField(allow_null=True)
    retain_until = serializers.DateField(allow_null=True, help_text="Kept until this day (POLICY §9)")
    sha256 = serializers.CharField(allow_null=True, help_text="SHA-256 of the published Markdown")
    purged_at = serializers.DateTimeField(allow_null=True, help_text="When retention purged the text (POLICY §9)")
    notes = serializers.CharField(allow_blank=True)
    markdown = serializers.CharField()


class ActionStatusInput(serializers.Serializer):
    status = serializers.CharField(help_text="open, done or cancelled")
