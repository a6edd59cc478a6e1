"""The change calendar over the API, in the API's two shapes (README, Design): deployment windows
and freezes are resources (GenericViewSets); previewing and lifting a freeze are workflow actions on
the freezes' viewset; a change's conflicts and next openings, and the calendar's events, are reads.
Views parse input, call one service or selector, and render with changes.calendar.api.serializers;
rules live in changes.calendar.services and schedule. Operation ids are pinned (the schema's links)."""
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.response import Response

from changemgmt.api.input import DATETIME_MESSAGE, checked_body, parse_moment, shapes_of_form
from changemgmt.api.permissions import ReadOnlyForAuditors
from changemgmt.api.schema import CONFLICT, FIELD_ERRORS, FORBIDDEN, NOT_FOUND, WRITE_ERRORS
from changes import selectors
from changes.calendar import openings, schedule, services
from changes.calendar import selectors as calendar_selectors
from changes.calendar.api import serializers
from changes.calendar.forms import CalendarFilterForm, FreezeForm, LiftFreezeForm, WindowForm
from changes.calendar.models import DeploymentWindow, Freeze
from changes.choices import RiskLevel

MAX_RANGE = timedelta(days=92)
MAX_SLOTS = 50
READ_ERRORS = {403: FORBIDDEN, 404: NOT_FOUND}
RANGE = [OpenApiParameter("start", OpenApiTypes.DATETIME, description="ISO 8601; default now"),
         OpenApiParameter("end", OpenApiTypes.DATETIME, description="ISO 8601; default start + 31 days, at most "
                                                                     "92 days after start")]


# Deny by default (a role is needed; auditors read only); whole answers, no pages. No class docstrings
# below: drf-spectacular would make them the description of every operation of the class.
class CalendarViewSet(viewsets.GenericViewSet):
    permission_classes = [ReadOnlyForAuditors]
    pagination_class = None
    filter_backends = []


def _moment(request, name: str) -> datetime | None:
    raw = request.query_params.get(name)
    if not raw:
        return None
    try:
        moment = parse_moment(raw)
    except ValidationError as exc:
        raise ValidationError({name: exc.messages}) from exc
    if moment is None:
        raise ValidationError({name: [DATETIME_MESSAGE]})
    return moment


def _range(request) -> tuple[datetime, datetime]:
    """`start` and `end` query parameters (ISO 8601, years FIRST_YEAR to LAST_YEAR); default: the
    coming 31 days."""
    start, end = _moment(request, "start"), _moment(request, "end")
    start = start or timezone.now()
    end = end or start + timedelta(days=31)
    if end <= start:
        raise ValidationError({"end": ["The end must be after the start."]})
    if end - start > MAX_RANGE:
        raise ValidationError({"end": [f"At most {MAX_RANGE.days} days per request."]})
    return start, end


class WindowViewSet(CalendarViewSet):
    @extend_schema(operation_id="calendar_windows_list", responses={200: serializers.WindowSerializer(many=True),
                                                                     403: FORBIDDEN},
                   description="GET: the weekly deployment windows. POST: add one (administrator or CAB chair).")
    def list(self, request):
        return Response(serializers.WindowSerializer(DeploymentWindow.objects.all(), many=True).data)

    @extend_schema(operation_id="calendar_windows_create", request=serializers.WindowBody,
                   responses={201: serializers.WindowSerializer, **WRITE_ERRORS},
                   description="GET: the weekly deployment windows. POST: add one (administrator or CAB chair).")
    def create(self, request):
        body = checked_body(request.data, shapes_of_form(WindowForm))
        window = services.save_window(actor=request.user, data=body)
        return Response(serializers.WindowSerializer(window).data, status=status.HTTP_201_CREATED)

    @extend_schema(operation_id="calendar_windows_retrieve",
                   responses={200: serializers.WindowSerializer, **READ_ERRORS})
    def retrieve(self, request, pk):
        return Response(serializers.WindowSerializer(get_object_or_404(DeploymentWindow, pk=pk)).data)

    @extend_schema(operation_id="calendar_windows_partial_update", request=serializers.WindowBody,
                   responses={200: serializers.WindowSerializer, **WRITE_ERRORS})
    def partial_update(self, request, pk):
        get_object_or_404(DeploymentWindow, pk=pk)
        body = checked_body(request.data, shapes_of_form(WindowForm))
        window = services.save_window(actor=request.user, window_id=pk, data=body)
        return Response(serializers.WindowSerializer(window).data)

    @extend_schema(operation_id="calendar_windows_destroy", responses={204: None, **READ_ERRORS})
    def destroy(self, request, pk):
        get_object_or_404(DeploymentWindow, pk=pk)
        services.delete_window(actor=request.user, window_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


FREEZES_DOC = ("GET: every freeze (announced and recurring) in [start, end). POST: announce a freeze, which puts\n"
               "the changes it catches on hold and tells their owners.")


class FreezeViewSet(CalendarViewSet):
    @extend_schema(operation_id="calendar_freezes_list", parameters=RANGE, description=FREEZES_DOC,
                   responses={200: serializers.FreezePeriodSerializer(many=True), 400: FIELD_ERRORS, 403: FORBIDDEN})
    def list(self, request):
        start, end = _range(request)
        return Response(serializers.FreezePeriodSerializer(schedule.freezes_between(start, end), many=True).data)

    @extend_schema(operation_id="calendar_freezes_create", request=serializers.FreezeBody, description=FREEZES_DOC,
                   responses={201: serializers.FreezePreviewSerializer, **WRITE_ERRORS})
    def create(self, request):
        body = checked_body(request.data, shapes_of_form(FreezeForm))
        preview = services.announce_freeze(actor=request.user, data=body)
        return Response(serializers.FreezePreviewSerializer(preview).data, status=status.HTTP_201_CREATED)

    @extend_schema(operation_id="calendar_freezes_preview", request=serializers.FreezeBody,
                   responses={200: serializers.FreezePreviewSerializer, **WRITE_ERRORS},
                   description="POST the freeze you mean to announce: the scheduled changes it would catch. "
                               "Nothing is saved.")
    def preview(self, request):
        body = checked_body(request.data, shapes_of_form(FreezeForm))
        preview = services.preview_freeze(actor=request.user, data=body)
        return Response(serializers.FreezePreviewSerializer(preview).data)

    @extend_schema(operation_id="calendar_freezes_retrieve",
                   responses={200: serializers.FreezePeriodSerializer, **READ_ERRORS})
    def retrieve(self, request, pk):
        freeze = get_object_or_404(Freeze.objects.prefetch_related("services"), pk=pk)
        return Response(serializers.FreezePeriodSerializer(schedule.freeze_period(freeze)).data)

    @extend_schema(operation_id="calendar_freezes_lift", request=serializers.LiftBody,
                   responses={200: serializers.LiftedFreezeSerializer, 409: CONFLICT, **WRITE_ERRORS},
                   description="POST a reason to lift an announced freeze now (those who may announce freezes); "
                               "the owners of\nthe scheduled changes it still catches are told. A freeze already "
                               "lifted or over: 409.")
    def lift(self, request, pk):
        get_object_or_404(Freeze, pk=pk)
        body = checked_body(request.data, shapes_of_form(LiftFreezeForm), reject_unknown=True)
        lifted = services.lift_freeze(actor=request.user, freeze_id=pk, reason=body.get("reason", ""))
        return Response(serializers.LiftedFreezeSerializer(calendar_selectors.lifted_period(lifted)).data)


class ChangeScheduleViewSet(CalendarViewSet):
    @extend_schema(operation_id="changes_conflicts_list",
                   responses={200: serializers.ConflictSerializer(many=True), **READ_ERRORS},
                   description="The stored conflicts of one change, each naming the other change and what they "
                               "share.")
    def conflicts(self, request, pk):
        change = get_object_or_404(selectors.change_list(), pk=pk)
        rows = calendar_selectors.conflict_rows(change.pk)
        return Response(serializers.ConflictSerializer(rows, many=True).data)

    @extend_schema(operation_id="changes_next_slots_retrieve", parameters=[
        OpenApiParameter("count", int, description=f"How many start times, 1 to {MAX_SLOTS}; default from policy"),
        OpenApiParameter("duration_minutes", int, description="1 to 1440; default the change's planned duration")],
        responses={200: serializers.NextSlotsSerializer, 400: FIELD_ERRORS, **READ_ERRORS},
        description="The next start times that satisfy windows, freezes, lead time and conflicts for this change\n"
                    "(`count`, default from policy; `duration_minutes`, default the change's planned duration).")
    def next_slots(self, request, pk):
        change = get_object_or_404(selectors.change_list().prefetch_related("configuration_items"), pk=pk)
        errors, values = {}, {}
        for name, high in (("count", MAX_SLOTS), ("duration_minutes", 24 * 60)):
            raw = request.query_params.get(name)
            if raw:
                try:
                    values[name] = int(raw)
                    if not 1 <= values[name] <= high:
                        raise ValueError
                except ValueError:
                    errors[name] = [f"A whole number from 1 to {high}."]
        if errors:
            raise ValidationError(errors)
        duration = timedelta(minutes=values["duration_minutes"]) if "duration_minutes" in values else None
        found = openings.next_openings(change=change, count=values.get("count"), duration=duration)
        return Response(serializers.NextSlotsSerializer(
            {"change": change, "risk_level": change.risk_level or RiskLevel.LOW, "slots": found}).data)


class EventsViewSet(CalendarViewSet):
    @extend_schema(operation_id="calendar_events_retrieve", parameters=[
        *RANGE, OpenApiParameter("service", int, description="Only changes touching this service"),
        OpenApiParameter("team", int, description="Only changes of this team"),
        OpenApiParameter("risk", str, enum=RiskLevel.values, description="Only changes of this risk level")],
        responses={200: serializers.EventsSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN},
        description="Calendar events in [start, end): changes (planned and actual times, conflicts), freezes and\n"
                    "deployment window occurrences; filters `service`, `team`, `risk`.")
    def events(self, request):
        start, end = _range(request)
        form = CalendarFilterForm(request.query_params)
        if not form.is_valid():
            raise ValidationError({name: list(messages) for name, messages in form.errors.items()})
        data = calendar_selectors.calendar_data(start, end, **form.filters())
        return Response(serializers.EventsSerializer(data).data)
