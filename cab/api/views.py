"""The CAB API: reads through cab.selectors, every write through one cab service. Refusals come
back as the services raise them (403 with the reason, 409 with the reason or the missing quorum
items, 400 field errors) via changemgmt.api.errors."""
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import api_view
from rest_framework.response import Response

from cab import selectors
from cab.api import serializers
from cab.markdown import record_markdown
from cab.models import ActionItem, AgendaItem
from cab.services import actions, minutes, voting
from cab.services import agenda as agenda_services
from cab.services import meetings as meeting_services
from changemgmt.api.schema import CONFLICT, FORBIDDEN, NOT_FOUND, WRITE_ERRORS
from changemgmt.api.strict import validated

READ_ERRORS = {403: FORBIDDEN, 404: NOT_FOUND}
# Writes: 400 field errors, 403 not allowed, 404 unknown, 409 refused (published minutes, quorum, decided).
ERRORS = {**WRITE_ERRORS, 409: CONFLICT}


def _meeting(pk):
    meeting = selectors.meeting_detail_queryset().filter(pk=pk).first()
    if meeting is None:
        raise Http404
    return meeting


def _detail(pk, code=status.HTTP_200_OK):
    return Response(serializers.MeetingDetailSerializer(_meeting(pk)).data, status=code)


@extend_schema(responses={200: serializers.MeetingSerializer(many=True), 403: FORBIDDEN})
@api_view(["GET"])
def meetings(request):
    rows = selectors.meeting_list().order_by("-starts_at")[:100]
    return Response(serializers.MeetingSerializer(rows, many=True).data)


@extend_schema(responses={200: serializers.MeetingDetailSerializer, **READ_ERRORS})
@api_view(["GET"])
def meeting(request, pk):
    return _detail(pk)


@extend_schema(request=serializers.EmergencyInput, responses={201: serializers.MeetingDetailSerializer, **ERRORS})
@api_view(["POST"])
def emergency(request):
    data = validated(serializers.EmergencyInput, request.data)
    created = meeting_services.convene_emergency(actor=request.user, reason=data["reason"],
                                                 change_id=data["change"], starts_at=data["starts_at"])
    return _detail(created.pk, status.HTTP_201_CREATED)


@extend_schema(operation_id="cab_meetings_transition", request=None,
               parameters=[OpenApiParameter("action", str, OpenApiParameter.PATH, enum=["start", "end", "publish"],
                                            description="start, end the meeting, or publish its minutes")],
               responses={200: serializers.MeetingDetailSerializer, **ERRORS})
@api_view(["POST"])
def meeting_transition(request, pk, action):
    services = {"start": meeting_services.start_meeting, "end": meeting_services.end_meeting,
                "publish": minutes.publish}
    if action not in services:
        raise Http404
    services[action](meeting_id=pk, actor=request.user)
    return _detail(pk)


@extend_schema(request=serializers.AttendanceInput, responses={200: serializers.MeetingDetailSerializer, **ERRORS})
@api_view(["POST"])
def attendance(request, pk):
    data = validated(serializers.AttendanceInput, request.data)
    meeting_services.record_attendance(meeting_id=pk, actor=request.user, present_user_ids=data["present"])
    return _detail(pk)


@extend_schema(methods=["GET"], operation_id="cab_meetings_minutes_retrieve",
               responses={200: serializers.MinutesSerializer, **READ_ERRORS})
@extend_schema(methods=["PUT"], operation_id="cab_meetings_minutes_update", request=serializers.NotesInput,
               responses={200: serializers.MinutesSerializer, **ERRORS})
@api_view(["GET", "PUT"])
def meeting_minutes(request, pk):
    """GET: the minutes (the published Markdown record, its purge notice after retention, or a live
    draft). PUT {notes}: the chair's
    notes before publication."""
    if request.method == "PUT":
        data = validated(serializers.NotesInput, request.data)
        minutes.update_notes(meeting_id=pk, actor=request.user, notes=data["notes"])
    found = _meeting(pk)
    record = getattr(found, "minutes", None)
    published = bool(record and record.published_at)
    return Response({
        "meeting": pk, "published": published, "published_at": record.published_at if record else None,
        "retain_until": record.retain_until if record else None, "sha256": record.body_sha256 if published else None,
        "purged_at": record.purged_at if record else None, "notes": record.notes if record else "",
        "markdown": record_markdown(found, record),
    })


@extend_schema(request=serializers.ItemInput, responses={201: serializers.ItemSerializer, **ERRORS})
@api_view(["POST"])
def add_item(request, pk):
    data = validated(serializers.ItemInput, request.data)
    item = agenda_services.add_item(meeting_id=pk, actor=request.user, change_id=data["change"], title=data["title"],
                                    note=data["note"])
    return Response(serializers.ItemSerializer(item).data, status=status.HTTP_201_CREATED)


@extend_schema(request=serializers.ReorderInput, responses={200: serializers.MeetingDetailSerializer, **ERRORS})
@api_view(["POST"])
def reorder(request, pk):
    data = validated(serializers.ReorderInput, request.data)
    agenda_services.reorder(meeting_id=pk, actor=request.user, item_ids=data["items"])
    return _detail(pk)


def _item(pk):
    item = (AgendaItem.objects.select_related("decision", "decision__decided_by")
            .prefetch_related("votes__voter").filter(pk=pk).first())
    if item is None:
        raise Http404
    return item


@extend_schema(methods=["GET"], responses={200: serializers.ItemSerializer, **READ_ERRORS})
@extend_schema(methods=["DELETE"], responses={204: None, **ERRORS})
@api_view(["GET", "DELETE"])
def item(request, pk):
    if request.method == "DELETE":
        agenda_services.remove_item(item_id=pk, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
    return Response(serializers.ItemSerializer(_item(pk)).data)


@extend_schema(request=serializers.VoteInput, responses={201: serializers.VoteSerializer, **ERRORS})
@api_view(["POST"])
def cast_vote(request, pk):
    """Cast your one vote on an item; a second POST is refused (409): PUT votes/mine/ changes it."""
    data = validated(serializers.VoteInput, request.data)
    vote = voting.cast_vote(item_id=pk, actor=request.user, choice=data["choice"], comment=data["comment"])
    return Response(serializers.VoteSerializer(vote).data, status=status.HTTP_201_CREATED)


@extend_schema(request=serializers.VoteInput, responses={200: serializers.VoteSerializer, **ERRORS})
@api_view(["PUT"])
def change_vote(request, pk):
    data = validated(serializers.VoteInput, request.data)
    vote = voting.change_vote(item_id=pk, actor=request.user, choice=data["choice"], comment=data["comment"])
    return Response(serializers.VoteSerializer(vote).data)


@extend_schema(request=serializers.DecisionInput, responses={201: serializers.DecisionSerializer, **ERRORS})
@api_view(["POST"])
def decide(request, pk):
    data = validated(serializers.DecisionInput, request.data)
    decision = voting.record_decision(item_id=pk, actor=request.user, **data)
    return Response(serializers.DecisionSerializer(decision).data, status=status.HTTP_201_CREATED)


@extend_schema(methods=["GET"], operation_id="cab_action_items_list", responses={
    200: serializers.ActionItemSerializer(many=True), 403: FORBIDDEN},
    parameters=[OpenApiParameter("status", str, enum=["open", "done", "cancelled"])])
@extend_schema(methods=["POST"], operation_id="cab_action_items_create", request=serializers.ActionInput,
               responses={201: serializers.ActionItemSerializer, **ERRORS})
@api_view(["GET", "POST"])
def action_items(request):
    if request.method == "POST":
        data = validated(serializers.ActionInput, request.data)
        meeting, change = data["meeting"], data["change"]
        created = actions.create(actor=request.user, title=data["title"], kind=data["kind"], owner=data["owner"],
                                 due_on=data["due_on"], details=data["details"],
                                 meeting_id=meeting.pk if meeting else None, change_id=change.pk if change else None)
        return Response(serializers.ActionItemSerializer(created).data, status=status.HTTP_201_CREATED)
    rows = ActionItem.objects.select_related("owner").order_by("status", "due_on", "id")
    if request.query_params.get("status"):
        rows = rows.filter(status=request.query_params["status"])
    return Response(serializers.ActionItemSerializer(rows[:500], many=True).data)


@extend_schema(request=serializers.ActionStatusInput, responses={200: serializers.ActionItemSerializer, **ERRORS})
@api_view(["PATCH"])
def action_item(request, pk):
    data = validated(serializers.ActionStatusInput, request.data)
    updated = actions.set_status(action_id=pk, actor=request.user, status=data["status"])
    return Response(serializers.ActionItemSerializer(updated).data)
