"""Output and input shapes of the CAB API. Serializers only shape data; rules live in services."""
from datetime import UTC

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cab.choices import ActionKind, ActionStatus, Outcome, VoteChoice
from cab.models import ActionItem, AgendaItem, Attendance, Decision, Meeting, Vote
from changemgmt.api.schema import ReadModelSerializer
from changemgmt.api.strict import Day, Line, Moment, StrictSerializer, Text
from changemgmt.models import User
from changes.models import ChangeRequest


class VoteSerializer(ReadModelSerializer):
    voter = serializers.CharField(source="voter.username")

    class Meta:
        model = Vote
        fields = ["id", "voter", "choice", "comment", "cast_at", "changed_at"]


class DecisionSerializer(ReadModelSerializer):
    decided_by = serializers.CharField(source="decided_by.username")

    class Meta:
        model = Decision
        fields = ["outcome", "reason", "conditions", "tally", "decided_by", "decided_at"]


class ItemSerializer(ReadModelSerializer):
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


class AttendanceSerializer(ReadModelSerializer):
    user = serializers.CharField(source="user.username")

    class Meta:
        model = Attendance
        fields = ["user", "seat", "deputy", "present"]


class MeetingSerializer(ReadModelSerializer):
    class Meta:
        model = Meeting
        fields = ["id", "kind", "title", "starts_at", "ends_at", "status", "reason", "emergency_change", "freeze",
                  "agenda_generated_at", "started_at", "ended_at"]


class MeetingDetailSerializer(MeetingSerializer):
    items = ItemSerializer(many=True, read_only=True)
    attendance = AttendanceSerializer(many=True, read_only=True)

    class Meta(MeetingSerializer.Meta):
        fields = MeetingSerializer.Meta.fields + ["since", "items", "attendance"]


class ActionItemSerializer(ReadModelSerializer):
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = ActionItem
        fields = ["id", "kind", "title", "details", "owner", "due_on", "status", "meeting", "change", "created_at",
                  "closed_at"]


# Inputs: strict (changemgmt.api.strict), so a wrong type or an unknown field is a 400 naming it.
# Choices are listed for the documentation; the services judge every value.
class VoteInput(StrictSerializer):
    choice = serializers.ChoiceField(choices=VoteChoice.choices)
    comment = Text(required=False, allow_blank=True, default="", max_length=5000)


class DecisionInput(StrictSerializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    reason = Text(required=False, allow_blank=True, default="", max_length=5000)
    conditions = Text(required=False, allow_blank=True, default="", max_length=5000)


class EmergencyInput(StrictSerializer):
    reason = Text(allow_blank=True, max_length=5000, help_text="Why the board must meet now")
    change = serializers.IntegerField(required=False, allow_null=True, default=None)
    starts_at = Moment(required=False, allow_null=True, default=None)


class AttendanceInput(StrictSerializer):
    present = serializers.ListField(child=serializers.IntegerField(), max_length=500)


class ItemInput(StrictSerializer):
    change = serializers.IntegerField(required=False, allow_null=True, default=None)
    title = Line(required=False, allow_blank=True, default="", max_length=300)
    note = Text(required=False, allow_blank=True, default="", max_length=5000)


class ReorderInput(StrictSerializer):
    items = serializers.ListField(child=serializers.IntegerField(), max_length=500)


class ActionInput(StrictSerializer):
    kind = serializers.ChoiceField(choices=ActionKind.choices, required=False, default=ActionKind.ACTION)
    title = Line(allow_blank=True, max_length=300)
    details = Text(required=False, allow_blank=True, default="", max_length=5000)
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), required=False,
                                               allow_null=True, default=None, help_text="User id")
    due_on = Day(required=False, allow_null=True, default=None)
    meeting = serializers.PrimaryKeyRelatedField(queryset=Meeting.objects.all(), required=False, allow_null=True,
                                                 default=None, help_text="Meeting id")
    change = serializers.PrimaryKeyRelatedField(queryset=ChangeRequest.objects.all(), required=False,
                                                allow_null=True, default=None, help_text="Change id")


class NotesInput(StrictSerializer):
    notes = Text(allow_blank=True, max_length=50_000, help_text="The chair's notes, before publication")


class MinutesSerializer(serializers.Serializer):
    """The minutes of a meeting: the published Markdown record, or a live draft before publication."""

    # Renders cab.selectors.MinutesView; times in UTC, as stored (the answer before it had a serializer).
    meeting = serializers.IntegerField()
    published = serializers.BooleanField()
    published_at = serializers.DateTimeField(allow_null=True, default_timezone=UTC)
    retain_until = serializers.DateField(allow_null=True, help_text="Kept until this day (POLICY §9)")
    sha256 = serializers.CharField(allow_null=True, help_text="SHA-256 of the published Markdown")
    purged_at = serializers.DateTimeField(allow_null=True, default_timezone=UTC,
                                          help_text="When retention purged the text (POLICY §9)")
    notes = serializers.CharField(allow_blank=True)
    markdown = serializers.CharField()


class ActionStatusInput(StrictSerializer):
    status = serializers.ChoiceField(choices=ActionStatus.choices)
