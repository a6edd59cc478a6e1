"""The CAB API, in the API's two shapes (README, Design): each resource is a GenericViewSet (meetings,
agenda items, action items) and each workflow step is a POST on it with a strict input serializer,
one cab service and an output serializer. Reads go through cab.selectors. Refusals come back as the
services raise them (403 with the reason, 409 with the reason or the missing quorum items, 400 field
errors) via changemgmt.api.errors. Operation ids are pinned: clients and the schema's links use them."""
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.response import Response

from cab import selectors
from cab.api import serializers
from cab.models import ActionItem, AgendaItem
from cab.services import actions, minutes, voting
from cab.services import agenda as agenda_services
from cab.services import meetings as meeting_services
from changemgmt.api.schema import CONFLICT, FORBIDDEN, NOT_FOUND, WRITE_ERRORS
from changemgmt.api.strict import validated

READ_ERRORS = {403: FORBIDDEN, 404: NOT_FOUND}
# Writes: 400 field errors, 403 not allowed, 404 unknown, 409 refused (published minutes, quorum, decided).
ERRORS = {**WRITE_ERRORS, 409: CONFLICT}
MINUTES_DOC = ("GET: the minutes (the published Markdown record, its purge notice after retention, or a live\n"
               "draft). PUT {notes}: the chair's\nnotes before publication.")
MEETING_STEPS = {"start": meeting_services.start_meeting, "end": meeting_services.end_meeting,
                 "publish": minutes.publish}


def _meeting(pk):
    meeting = selectors.meeting_detail_queryset().filter(pk=pk).first()
    if meeting is None:
        raise Http404
    return meeting


def _detail(pk, code=status.HTTP_200_OK):
    return Response(serializers.MeetingDetailSerializer(_meeting(pk)).data, status=code)


# Answers are whole lists (bounded by the selectors), not pages; each list parses its own filter. No class
# docstrings below: drf-spectacular would make them the description of every operation of the class.
class CabViewSet(viewsets.GenericViewSet):
    pagination_class = None
    filter_backends = []


class MeetingViewSet(CabViewSet):
    @extend_schema(operation_id="cab_meetings_list",
                   responses={200: serializers.MeetingSerializer(many=True), 403: FORBIDDEN})
    def list(self, request):
        rows = selectors.meeting_list().order_by("-starts_at")[:100]
        return Response(serializers.MeetingSerializer(rows, many=True).data)

    @extend_schema(operation_id="cab_meetings_retrieve",
                   responses={200: serializers.MeetingDetailSerializer, **READ_ERRORS})
    def retrieve(self, request, pk):
        return _detail(pk)

    @extend_schema(operation_id="cab_meetings_emergency_create", request=serializers.EmergencyInput,
                   responses={201: serializers.MeetingDetailSerializer, **ERRORS})
    def emergency(self, request):
        data = validated(serializers.EmergencyInput, request.data)
        created = meeting_services.convene_emergency(actor=request.user, reason=data["reason"],
                                                     change_id=data["change"], starts_at=data["starts_at"])
        return _detail(created.pk, status.HTTP_201_CREATED)

    @extend_schema(operation_id="cab_meetings_transition", request=None,
                   parameters=[OpenApiParameter("action", str, OpenApiParameter.PATH, enum=[*MEETING_STEPS],
                                                description="start, end the meeting, or publish its minutes")],
                   responses={200: serializers.MeetingDetailSerializer, **ERRORS})
    def step(self, request, pk, action):
        if action not in MEETING_STEPS:
            raise Http404
        MEETING_STEPS[action](meeting_id=pk, actor=request.user)
        return _detail(pk)

    @extend_schema(operation_id="cab_meetings_attendance_create", request=serializers.AttendanceInput,
                   responses={200: serializers.MeetingDetailSerializer, **ERRORS})
    def attendance(self, request, pk):
        data = validated(serializers.AttendanceInput, request.data)
        meeting_services.record_attendance(meeting_id=pk, actor=request.user, present_user_ids=data["present"])
        return _detail(pk)

    @extend_schema(operation_id="cab_meetings_minutes_retrieve", responses={200: serializers.MinutesSerializer,
                                                                           **READ_ERRORS},
                   description=MINUTES_DOC)
    def minutes(self, request, pk):
        return Response(serializers.MinutesSerializer(selectors.minutes_of(_meeting(pk))).data)

    @extend_schema(operation_id="cab_meetings_minutes_update", request=serializers.NotesInput,
                   responses={200: serializers.MinutesSerializer, **ERRORS},
                   description=MINUTES_DOC)
    def update_notes(self, request, pk):
        data = validated(serializers.NotesInput, request.data)
        minutes.update_notes(meeting_id=pk, actor=request.user, notes=data["notes"])
        return self.minutes(request, pk)

    @extend_schema(operation_id="cab_meetings_items_create", request=serializers.ItemInput,
                   responses={201: serializers.ItemSerializer, **ERRORS})
    def add_item(self, request, pk):
        data = validated(serializers.ItemInput, request.data)
        item = agenda_services.add_item(meeting_id=pk, actor=request.user, change_id=data["change"],
                                        title=data["title"], note=data["note"])
        return Response(serializers.ItemSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(operation_id="cab_meetings_reorder_create", request=serializers.ReorderInput,
                   responses={200: serializers.MeetingDetailSerializer, **ERRORS})
    def reorder(self, request, pk):
        data = validated(serializers.ReorderInput, request.data)
        agenda_services.reorder(meeting_id=pk, actor=request.user, item_ids=data["items"])
        return _detail(pk)


class AgendaItemViewSet(CabViewSet):
    @extend_schema(operation_id="cab_items_retrieve",
                   responses={200: serializers.ItemSerializer, **READ_ERRORS})
    def retrieve(self, request, pk):
        item = (AgendaItem.objects.select_related("decision", "decision__decided_by")
                .prefetch_related("votes__voter").filter(pk=pk).first())
        if item is None:
            raise Http404
        return Response(serializers.ItemSerializer(item).data)

    @extend_schema(operation_id="cab_items_destroy", responses={204: None, **ERRORS})
    def destroy(self, request, pk):
        agenda_services.remove_item(item_id=pk, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(operation_id="cab_items_votes_create", request=serializers.VoteInput,
                   responses={201: serializers.VoteSerializer, **ERRORS},
                   description="Cast your one vote on an item; a second POST is refused (409): PUT votes/mine/ "
                               "changes it.")
    def cast_vote(self, request, pk):
        data = validated(serializers.VoteInput, request.data)
        vote = voting.cast_vote(item_id=pk, actor=request.user, choice=data["choice"], comment=data["comment"])
        return Response(serializers.VoteSerializer(vote).data, status=status.HTTP_201_CREATED)

    @extend_schema(operation_id="cab_items_votes_mine_update", request=serializers.VoteInput,
                   responses={200: serializers.VoteSerializer, **ERRORS})
    def change_vote(self, request, pk):
        data = validated(serializers.VoteInput, request.data)
        vote = voting.change_vote(item_id=pk, actor=request.user, choice=data["choice"], comment=data["comment"])
        return Response(serializers.VoteSerializer(vote).data)

    @extend_schema(operation_id="cab_items_decision_create", request=serializers.DecisionInput,
                   responses={201: serializers.DecisionSerializer, **ERRORS})
    def decide(self, request, pk):
        data = validated(serializers.DecisionInput, request.data)
        decision = voting.record_decision(item_id=pk, actor=request.user, **data)
        return Response(serializers.DecisionSerializer(decision).data, status=status.HTTP_201_CREATED)


class ActionItemViewSet(CabViewSet):
    @extend_schema(operation_id="cab_action_items_list",
                   responses={200: serializers.ActionItemSerializer(many=True), 403: FORBIDDEN},
                   parameters=[OpenApiParameter("status", str, enum=["open", "done", "cancelled"])])
    def list(self, request):
        rows = ActionItem.objects.select_related("owner").order_by("status", "due_on", "id")
        if request.query_params.get("status"):
            rows = rows.filter(status=request.query_params["status"])
        return Response(serializers.ActionItemSerializer(rows[:500], many=True).data)

    @extend_schema(operation_id="cab_action_items_create", request=serializers.ActionInput,
                   responses={201: serializers.ActionItemSerializer, **ERRORS})
    def create(self, request):
        data = validated(serializers.ActionInput, request.data)
        meeting, change = data["meeting"], data["change"]
        created = actions.create(actor=request.user, title=data["title"], kind=data["kind"], owner=data["owner"],
                                 due_on=data["due_on"], details=data["details"],
                                 meeting_id=meeting.pk if meeting else None, change_id=change.pk if change else None)
        return Response(serializers.ActionItemSerializer(created).data, status=status.HTTP_201_CREATED)

    @extend_schema(operation_id="cab_action_items_partial_update",
                   request=serializers.ActionStatusInput, responses={200: serializers.ActionItemSerializer, **ERRORS})
    def partial_update(self, request, pk):
        data = validated(serializers.ActionStatusInput, request.data)
        updated = actions.set_status(action_id=pk, actor=request.user, status=data["status"])
        return Response(serializers.ActionItemSerializer(updated).data)
