"""Bodies of the change list's API (changes.lists.api): input serializers check only the JSON's shape
(text, ids, date-times in range); every value rule is the service's form (changes.lists.forms), so the
page and the API refuse the same things with the same messages."""
from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from changemgmt.api.input import MAX_ID
from changemgmt.api.schema import ReadModelSerializer
from changemgmt.api.strict import Moment, StrictSerializer, Text
from changes.lists.forms import BULK_ACTIONS
from changes.lists.models import SavedFilter

_FILTER = {"name": "My high-risk changes", "query": "risk_level=high&sort=planned_start"}


@extend_schema_serializer(examples=[OpenApiExample(
    "A saved filter", response_only=True, status_codes=["200", "201"],
    value={"id": 7, **_FILTER, "created_at": "2026-03-02T09:00:00Z"})])
class SavedFilterSerializer(ReadModelSerializer):
    class Meta:
        model = SavedFilter
        fields = ["id", "name", "query", "created_at"]
        read_only_fields = fields


@extend_schema_serializer(examples=[OpenApiExample("Save the current filter", request_only=True, value=_FILTER)])
class SavedFilterInput(StrictSerializer):
    name = Text(help_text="Up to 80 characters; saving under a name you already use replaces that filter's query.")
    query = Text(required=False, allow_blank=True,
                 help_text="The change list's query string (filters and sort), as on /changes/?… or "
                           "/api/changes/?…; `page` is dropped.")


@extend_schema_serializer(examples=[OpenApiExample("Rename", request_only=True, value={"name": "High risk, soonest"})])
class RenameInput(StrictSerializer):
    name = Text(help_text="The new name (up to 80 characters), not one of your other filters'.")


@extend_schema_serializer(examples=[
    OpenApiExample("Cancel three changes", request_only=True,
                   value={"action": "cancel", "changes": [41, 42, 43], "reason": "The project was stopped"}),
    OpenApiExample("Reschedule two changes", request_only=True,
                   value={"action": "reschedule", "changes": [41, 42], "reason": "The vendor moved the window",
                          "planned_start": "2026-03-10T09:00:00Z", "planned_end": "2026-03-10T10:00:00Z"}),
])
class BulkInput(StrictSerializer):
    action = serializers.ChoiceField(choices=BULK_ACTIONS)
    changes = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
                                    help_text="Change ids, handled in this order.")
    reason = Text(allow_blank=True, help_text="Recorded on every change (required).")
    planned_start = Moment(required=False, allow_null=True, help_text="The new start (reschedule only).")
    planned_end = Moment(required=False, allow_null=True, help_text="The new end (reschedule only).")


class BulkDoneSerializer(serializers.Serializer):
    change = serializers.IntegerField(help_text="The change's id.")
    reference = serializers.CharField()


class BulkRefusedSerializer(BulkDoneSerializer):
    reason = serializers.CharField(help_text="Why this change was left as it was (nothing was written for it).")


@extend_schema_serializer(examples=[OpenApiExample("Two cancelled, one refused", response_only=True, value={
    "action": "cancel", "done": [{"change": 41, "reference": "CHG-000041"}, {"change": 42, "reference": "CHG-000042"}],
    "refused": [{"change": 43, "reference": "CHG-000043",
                 "reason": "Only the author, the owner or an administrator may cancel this change."}]})])
class BulkResultSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=BULK_ACTIONS)
    done = BulkDoneSerializer(many=True, help_text="Changes the action went through for, in the order given.")
    refused = BulkRefusedSerializer(many=True, help_text="Changes it was refused for, each with the reason.")
