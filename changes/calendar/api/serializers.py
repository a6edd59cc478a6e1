"""OpenAPI descriptions of the calendar API's bodies (drf-spectacular only).

The calendar views answer with plain dicts (changes.calendar.api.views: window_json, period_json,
change_ref…) so their times stay in UTC as stored; these serializers describe those dicts and
validate nothing. tests/kernel/test_api_schema.py checks that real responses carry exactly these fields.
"""
from rest_framework import serializers

from changemgmt.api.schema import request_schema
from changes.calendar.choices import FreezeKind
from changes.calendar.forms import FreezeForm, LiftFreezeForm, WindowForm
from changes.choices import RiskLevel, State

SOURCES = [("announced", "Announced"), ("end_of_month", "End of month"), ("end_of_quarter", "End of quarter"),
           ("public_holiday", "Public holiday")]

WindowBody = request_schema(WindowForm, "WindowRequestBody", doc="A weekly deployment window (organisation time).")
FreezeBody = request_schema(FreezeForm, "FreezeRequestBody", required=("name", "reason", "starts_at", "ends_at"),
                            doc="A freeze to announce or preview; `services` empty freezes every service.")
LiftBody = request_schema(LiftFreezeForm, "FreezeLiftRequestBody", required=("reason",),
                          doc="Why the freeze is lifted.")


class WindowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    weekday = serializers.IntegerField(help_text="0 = Monday … 6 = Sunday")
    weekday_name = serializers.CharField()
    starts = serializers.CharField(help_text="HH:MM, organisation time")
    ends = serializers.CharField(help_text="HH:MM, organisation time")
    risks = serializers.ListField(child=serializers.ChoiceField(choices=RiskLevel.choices))


class FreezePeriodSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True, help_text="Empty for recurring freezes and public holidays")
    name = serializers.CharField()
    reason = serializers.CharField()
    kind = serializers.ChoiceField(choices=FreezeKind.choices)
    source = serializers.ChoiceField(choices=SOURCES)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(help_text="When the freeze stops applying: the lift time if lifted early")
    lifted_at = serializers.DateTimeField(allow_null=True, help_text="When an announced freeze was lifted; a freeze "
                                          "lifted before it started never applies and is left out of lists")
    services = serializers.ListField(child=serializers.IntegerField(), allow_null=True,
                                     help_text="Service ids; empty (null) when every service is frozen")


class ChangeRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    title = serializers.CharField()
    state = serializers.ChoiceField(choices=State.choices)
    risk_level = serializers.ChoiceField(choices=RiskLevel.choices, allow_blank=True, allow_null=True)
    planned_start = serializers.DateTimeField(allow_null=True)
    planned_end = serializers.DateTimeField(allow_null=True)
    owner = serializers.IntegerField(allow_null=True)
    url = serializers.CharField()


class PreviewFreezeSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True, help_text="Empty in a preview (nothing is saved)")
    name = serializers.CharField()
    reason = serializers.CharField()
    kind = serializers.ChoiceField(choices=FreezeKind.choices)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    services = serializers.ListField(child=serializers.IntegerField(), help_text="Service ids; empty: every service")


class FreezePreviewSerializer(serializers.Serializer):
    freeze = PreviewFreezeSerializer()
    caught = ChangeRefSerializer(many=True, help_text="Scheduled changes the freeze catches (put on hold on save)")


class LiftedFreezeSerializer(FreezePeriodSerializer):
    lifted_by = serializers.IntegerField(help_text="Id of the user who lifted it")
    lift_reason = serializers.CharField()
    told = ChangeRefSerializer(many=True, help_text="Scheduled changes the freeze still caught; their owners are told")


class ConflictSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    other = ChangeRefSerializer()
    shared = serializers.JSONField(help_text='{"services": [names], "items": [names]}')
    overlap_start = serializers.DateTimeField()
    overlap_end = serializers.DateTimeField()
    detected_at = serializers.DateTimeField()


class TimeSlotSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()


class NextSlotsSerializer(serializers.Serializer):
    change = ChangeRefSerializer()
    risk_level = serializers.ChoiceField(choices=RiskLevel.choices)
    slots = TimeSlotSerializer(many=True)


class EventChangeSerializer(ChangeRefSerializer):
    deployed_at = serializers.DateTimeField(allow_null=True)
    services = serializers.ListField(child=serializers.IntegerField())
    conflicts_with = serializers.ListField(child=serializers.IntegerField(), help_text="Ids of conflicting changes")


class WindowOccurrenceSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    risks = serializers.ListField(child=serializers.ChoiceField(choices=RiskLevel.choices))


class EventsSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    changes = EventChangeSerializer(many=True)
    freezes = FreezePeriodSerializer(many=True)
    windows = WindowOccurrenceSerializer(many=True)
