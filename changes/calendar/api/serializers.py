"""The calendar API's answers and documented bodies.

Output serializers render the calendar's objects: deployment windows, freeze periods
(changes.calendar.schedule.FreezePeriod) and the rows of changes.calendar.selectors. Times are
given as stored or computed, not moved to another zone: UTC for stored times, organisation time for
window occurrences and recurring freezes (`AsGiven`).
"""
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from changemgmt.api.schema import request_schema
from changes.calendar.choices import WEEKDAY_NAMES, FreezeKind
from changes.calendar.forms import FreezeForm, LiftFreezeForm, WindowForm
from changes.choices import RiskLevel, State


class AsGiven(serializers.DateTimeField):
    """ISO 8601 in the datetime's own offset (`Z` for UTC), as DRF's JSON encoder writes datetimes."""

    def to_representation(self, value):
        if value is None:
            return None
        text = value.isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text


@extend_schema_field(OpenApiTypes.STR)
class HourMinute(serializers.Field):
    def to_representation(self, value):
        return value.strftime("%H:%M")


class SortedIds(serializers.ListField):
    """A set of ids as a sorted list; None stays None."""

    def to_representation(self, data):
        return None if data is None else sorted(data)


class RelatedIds(serializers.ListField):
    """The ids of a prefetched relation."""

    def to_representation(self, data):
        return [row.pk for row in data.all()]


class ChangeUrl(serializers.CharField):
    def to_representation(self, value):
        return f"/changes/{value}/"


SOURCES = [("announced", "Announced"), ("end_of_month", "End of month"), ("end_of_quarter", "End of quarter"),
           ("public_holiday", "Public holiday")]

WindowBody = request_schema(WindowForm, "WindowRequestBody", doc="A weekly deployment window (organisation time).")
FreezeBody = request_schema(FreezeForm, "FreezeRequestBody", required=("name", "reason", "starts_at", "ends_at"),
                            doc="A freeze to announce or preview; `services` empty freezes every service.")
LiftBody = request_schema(LiftFreezeForm, "FreezeLiftRequestBody", required=("reason",),
                          doc="Why the freeze is lifted.")


class WeekdayName(serializers.CharField):
    def to_representation(self, value):
        return WEEKDAY_NAMES[value]


class WindowSerializer(serializers.Serializer):
    # Renders a DeploymentWindow.
    id = serializers.IntegerField()
    weekday = serializers.IntegerField(help_text="0 = Monday … 6 = Sunday")
    weekday_name = WeekdayName(source="weekday")
    starts = HourMinute(help_text="HH:MM, organisation time")
    ends = HourMinute(help_text="HH:MM, organisation time")
    risks = serializers.ListField(child=serializers.ChoiceField(choices=RiskLevel.choices))


class FreezePeriodSerializer(serializers.Serializer):
    # Renders a schedule.FreezePeriod.
    id = serializers.IntegerField(source="pk", allow_null=True,
                                  help_text="Empty for recurring freezes and public holidays")
    name = serializers.CharField()
    reason = serializers.CharField()
    kind = serializers.ChoiceField(choices=FreezeKind.choices)
    source = serializers.ChoiceField(choices=SOURCES)
    starts_at = AsGiven()
    ends_at = AsGiven(help_text="When the freeze stops applying: the lift time if lifted early")
    lifted_at = AsGiven(allow_null=True, help_text="When an announced freeze was lifted; a freeze "
                                          "lifted before it started never applies and is left out of lists")
    services = SortedIds(source="service_ids", child=serializers.IntegerField(), allow_null=True,
                         help_text="Service ids; empty (null) when every service is frozen")


class ChangeRefSerializer(serializers.Serializer):
    # Renders a ChangeRequest, briefly.
    id = serializers.IntegerField()
    reference = serializers.CharField()
    title = serializers.CharField()
    state = serializers.ChoiceField(choices=State.choices)
    risk_level = serializers.ChoiceField(choices=RiskLevel.choices, allow_blank=True, allow_null=True)
    planned_start = AsGiven(allow_null=True)
    planned_end = AsGiven(allow_null=True)
    owner = serializers.IntegerField(source="owner_id", allow_null=True)
    url = ChangeUrl(source="pk")


class PreviewFreezeSerializer(serializers.Serializer):
    # Renders a services.FreezePreview's freeze, with the services it names.
    id = serializers.IntegerField(source="freeze.pk", allow_null=True,
                                  help_text="Empty in a preview (nothing is saved)")
    name = serializers.CharField(source="freeze.name")
    reason = serializers.CharField(source="freeze.reason")
    kind = serializers.ChoiceField(source="freeze.kind", choices=FreezeKind.choices)
    starts_at = AsGiven(source="freeze.starts_at")
    ends_at = AsGiven(source="freeze.ends_at")
    services = serializers.ListField(source="service_ids", child=serializers.IntegerField(),
                                     help_text="Service ids; empty: every service")


class FreezePreviewSerializer(serializers.Serializer):
    # Renders a services.FreezePreview.
    freeze = PreviewFreezeSerializer(source="*")
    caught = ChangeRefSerializer(many=True, help_text="Scheduled changes the freeze catches (put on hold on save)")


class LiftedFreezeSerializer(FreezePeriodSerializer):
    # Renders a selectors.LiftedPeriod.
    lifted_by = serializers.IntegerField(help_text="Id of the user who lifted it")
    lift_reason = serializers.CharField()
    told = ChangeRefSerializer(many=True, help_text="Scheduled changes the freeze still caught; their owners are told")


class ConflictSerializer(serializers.Serializer):
    # Renders a selectors.ConflictRow.
    id = serializers.IntegerField()
    other = ChangeRefSerializer()
    shared = serializers.JSONField(help_text='{"services": [names], "items": [names]}')
    overlap_start = AsGiven()
    overlap_end = AsGiven()
    detected_at = AsGiven()


class TimeSlotSerializer(serializers.Serializer):
    # Renders an openings.Opening.
    start = AsGiven()
    end = AsGiven()


class NextSlotsSerializer(serializers.Serializer):
    # Renders a change (`change`) with its risk level and its next openings (`slots`).
    change = ChangeRefSerializer()
    risk_level = serializers.ChoiceField(choices=RiskLevel.choices)
    slots = TimeSlotSerializer(many=True)


class EventChangeSerializer(ChangeRefSerializer):
    # Renders a change of selectors.CalendarData.
    deployed_at = AsGiven(allow_null=True)
    services = RelatedIds(child=serializers.IntegerField())
    conflicts_with = SortedIds(source="conflict_ids", child=serializers.IntegerField(),
                               help_text="Ids of conflicting changes")


class WindowOccurrenceSerializer(serializers.Serializer):
    # Renders a selectors.Occurrence.
    start = AsGiven()
    end = AsGiven()
    risks = serializers.ListField(child=serializers.ChoiceField(choices=RiskLevel.choices))


class EventsSerializer(serializers.Serializer):
    # Renders a selectors.CalendarData.
    start = AsGiven()
    end = AsGiven()
    changes = EventChangeSerializer(many=True)
    freezes = FreezePeriodSerializer(many=True)
    windows = WindowOccurrenceSerializer(many=True, source="occurrences")
