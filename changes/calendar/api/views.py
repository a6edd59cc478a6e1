"""The change calendar over the API: deployment windows, freezes (with a preview, and lifting), conflicts of a
change, next available slots and calendar events in a time range. Views parse input, call one
service or selector, and render plain JSON; rules live in changes.calendar.services and schedule."""
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from changemgmt.api.input import DATETIME_MESSAGE, MAX_ID, SCALAR, checked_body, parse_moment, shapes_of_form
from changemgmt.api.permissions import ReadOnlyForAuditors
from changemgmt.api.schema import CONFLICT, FIELD_ERRORS, FORBIDDEN, NOT_FOUND, WRITE_ERRORS
from changes import selectors
from changes.calendar import conflicts, openings, schedule, services
from changes.calendar.api import serializers
from changes.calendar.choices import WEEKDAY_NAMES
from changes.calendar.forms import FreezeForm, LiftFreezeForm, WindowForm
from changes.calendar.models import DeploymentWindow, Freeze
from changes.calendar.selectors import calendar_data
from changes.choices import RiskLevel

MAX_RANGE = timedelta(days=92)
MAX_SLOTS = 50
READ_ERRORS = {403: FORBIDDEN, 404: NOT_FOUND}
RANGE = [OpenApiParameter("start", OpenApiTypes.DATETIME, description="ISO 8601; default now"),
         OpenApiParameter("end", OpenApiTypes.DATETIME, description="ISO 8601; default start + 31 days, at most "
                                                                     "92 days after start")]


class CalendarAPIView(APIView):
    permission_classes = [ReadOnlyForAuditors]


def window_json(w: DeploymentWindow) -> dict:
    return {"id": w.pk, "weekday": w.weekday, "weekday_name": WEEKDAY_NAMES[w.weekday],
            "starts": w.starts.strftime("%H:%M"), "ends": w.ends.strftime("%H:%M"), "risks": w.risks}


def period_json(p: schedule.FreezePeriod) -> dict:
    return {"id": p.pk, "name": p.name, "reason": p.reason, "kind": p.kind, "source": p.source,
            "starts_at": p.starts_at, "ends_at": p.ends_at, "lifted_at": p.lifted_at,
            "services": None if p.service_ids is None else sorted(p.service_ids)}


def change_ref(change) -> dict:
    return {"id": change.pk, "reference": change.reference, "title": change.title, "state": change.state,
            "risk_level": change.risk_level, "planned_start": change.planned_start, "planned_end": change.planned_end,
            "owner": change.owner_id, "url": f"/changes/{change.pk}/"}


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


class WindowListView(CalendarAPIView):
    """GET: the weekly deployment windows. POST: add one (administrator or CAB chair)."""

    @extend_schema(operation_id="calendar_windows_list", responses={200: serializers.WindowSerializer(many=True),
                                                                     403: FORBIDDEN})
    def get(self, request):
        return Response([window_json(w) for w in DeploymentWindow.objects.all()])

    @extend_schema(operation_id="calendar_windows_create", request=serializers.WindowBody,
                   responses={201: serializers.WindowSerializer, **WRITE_ERRORS})
    def post(self, request):
        body = checked_body(request.data, shapes_of_form(WindowForm))
        window = services.save_window(actor=request.user, data=body)
        return Response(window_json(window), status=status.HTTP_201_CREATED)


class WindowDetailView(CalendarAPIView):
    @extend_schema(operation_id="calendar_windows_retrieve",
                   responses={200: serializers.WindowSerializer, **READ_ERRORS})
    def get(self, request, pk):
        return Response(window_json(get_object_or_404(DeploymentWindow, pk=pk)))

    @extend_schema(operation_id="calendar_windows_partial_update", request=serializers.WindowBody,
                   responses={200: serializers.WindowSerializer, **WRITE_ERRORS})
    def patch(self, request, pk):
        get_object_or_404(DeploymentWindow, pk=pk)
        body = checked_body(request.data, shapes_of_form(WindowForm))
        return Response(window_json(services.save_window(actor=request.user, window_id=pk, data=body)))

    @extend_schema(operation_id="calendar_windows_destroy", responses={204: None, **READ_ERRORS})
    def delete(self, request, pk):
        get_object_or_404(DeploymentWindow, pk=pk)
        services.delete_window(actor=request.user, window_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _preview_json(preview) -> dict:
    freeze = preview.freeze
    return {"freeze": {"id": freeze.pk, "name": freeze.name, "reason": freeze.reason, "kind": freeze.kind,
                       "starts_at": freeze.starts_at, "ends_at": freeze.ends_at, "services": preview.service_ids},
            "caught": [change_ref(c) for c in preview.caught]}


class FreezeListView(CalendarAPIView):
    """GET: every freeze (announced and recurring) in [start, end). POST: announce a freeze, which puts
    the changes it catches on hold and tells their owners."""

    @extend_schema(operation_id="calendar_freezes_list", parameters=RANGE,
                   responses={200: serializers.FreezePeriodSerializer(many=True), 400: FIELD_ERRORS, 403: FORBIDDEN})
    def get(self, request):
        start, end = _range(request)
        return Response([period_json(p) for p in schedule.freezes_between(start, end)])

    @extend_schema(operation_id="calendar_freezes_create", request=serializers.FreezeBody,
                   responses={201: serializers.FreezePreviewSerializer, **WRITE_ERRORS})
    def post(self, request):
        body = checked_body(request.data, shapes_of_form(FreezeForm))
        preview = services.announce_freeze(actor=request.user, data=body)
        return Response(_preview_json(preview), status=status.HTTP_201_CREATED)


class FreezePreviewView(CalendarAPIView):
    """POST the freeze you mean to announce: the scheduled changes it would catch. Nothing is saved."""

    @extend_schema(operation_id="calendar_freezes_preview", request=serializers.FreezeBody,
                   responses={200: serializers.FreezePreviewSerializer, **WRITE_ERRORS})
    def post(self, request):
        body = checked_body(request.data, shapes_of_form(FreezeForm))
        return Response(_preview_json(services.preview_freeze(actor=request.user, data=body)))


class FreezeDetailView(CalendarAPIView):
    @extend_schema(operation_id="calendar_freezes_retrieve",
                   responses={200: serializers.FreezePeriodSerializer, **READ_ERRORS})
    def get(self, request, pk):
        freeze = get_object_or_404(Freeze.objects.prefetch_related("services"), pk=pk)
        return Response(period_json(schedule.freeze_period(freeze)))


class FreezeLiftView(CalendarAPIView):
    """POST a reason to lift an announced freeze now (those who may announce freezes); the owners of
    the scheduled changes it still catches are told. A freeze already lifted or over: 409."""

    @extend_schema(operation_id="calendar_freezes_lift", request=serializers.LiftBody,
                   responses={200: serializers.LiftedFreezeSerializer, 409: CONFLICT, **WRITE_ERRORS})
    def post(self, request, pk):
        get_object_or_404(Freeze, pk=pk)
        body = checked_body(request.data, shapes_of_form(LiftFreezeForm), reject_unknown=True)
        lifted = services.lift_freeze(actor=request.user, freeze_id=pk, reason=body.get("reason", ""))
        freeze = lifted.freeze
        return Response({**period_json(schedule.freeze_period(freeze)), "lifted_by": freeze.lifted_by_id,
                         "lift_reason": freeze.lift_reason, "told": [change_ref(c) for c in lifted.told]})


class ChangeConflictsView(CalendarAPIView):
    """The stored conflicts of one change, each naming the other change and what they share."""

    @extend_schema(operation_id="changes_conflicts_list", responses={200: serializers.ConflictSerializer(many=True),
                                                                      **READ_ERRORS})
    def get(self, request, pk):
        change = get_object_or_404(selectors.change_list(), pk=pk)
        result = []
        for row in conflicts.conflicts_of(change.pk):
            other = row.other if row.change_id == change.pk else row.change
            result.append({"id": row.pk, "other": change_ref(other), "shared": row.shared,
                           "overlap_start": row.overlap_start, "overlap_end": row.overlap_end,
                           "detected_at": row.detected_at})
        return Response(result)


class NextSlotsView(CalendarAPIView):
    """The next start times that satisfy windows, freezes, lead time and conflicts for this change
    (`count`, default from policy; `duration_minutes`, default the change's planned duration)."""

    @extend_schema(operation_id="changes_next_slots_retrieve", parameters=[
        OpenApiParameter("count", int, description=f"How many start times, 1 to {MAX_SLOTS}; default from policy"),
        OpenApiParameter("duration_minutes", int, description="1 to 1440; default the change's planned duration")],
        responses={200: serializers.NextSlotsSerializer, 400: FIELD_ERRORS, **READ_ERRORS})
    def get(self, request, pk):
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
        return Response({"change": change_ref(change), "risk_level": change.risk_level or RiskLevel.LOW,
                         "slots": [{"start": s.start, "end": s.end} for s in found]})


class EventsView(CalendarAPIView):
    """Calendar events in [start, end): changes (planned and actual times, conflicts), freezes and
    deployment window occurrences; filters `service`, `team`, `risk`."""

    @extend_schema(operation_id="calendar_events_retrieve", parameters=[
        *RANGE, OpenApiParameter("service", int, description="Only changes touching this service"),
        OpenApiParameter("team", int, description="Only changes of this team"),
        OpenApiParameter("risk", str, enum=RiskLevel.values, description="Only changes of this risk level")],
        responses={200: serializers.EventsSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN})
    def get(self, request):
        start, end = _range(request)
        params = checked_body({k: request.query_params.get(k) for k in ("service", "team", "risk")
                               if request.query_params.get(k)}, {"service": SCALAR, "team": SCALAR, "risk": SCALAR})
        for name in ("service", "team"):
            if name in params and not (str(params[name]).isdigit() and int(params[name]) <= MAX_ID):
                raise ValidationError({name: ["Give an id."]})
        if "risk" in params and params["risk"] not in RiskLevel.values:
            raise ValidationError({"risk": [f"One of {', '.join(RiskLevel.values)}."]})
        data = calendar_data(start, end, service=params.get("service"), team=params.get("team"),
                             risk=params.get("risk"))
        return Response({
            "start": start, "end": end,
            "changes": [{**change_ref(c), "deployed_at": c.deployed_at, "services": [s.pk for s in c.services.all()],
                         "conflicts_with": sorted(c.conflict_ids)} for c in data.changes],
            "freezes": [period_json(p) for p in data.freezes],
            "windows": [{"start": a, "end": b, "risks": list(r)} for a, b, r in data.windows],
        })
