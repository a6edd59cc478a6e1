"""The CAB board over the API: who holds which seat. Appointing and retiring are cab.services.board's
(an administrator appoints the chair, the chair the other seats; one ledger entry each), the same
functions the admin and the CAB page's board list call."""
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cab.choices import Seat
from cab.models import BoardMember
from cab.services import board
from changemgmt.api.permissions import ReadOnlyForAuditors
from changemgmt.api.schema import CONFLICT, FORBIDDEN, NOT_FOUND, WRITE_ERRORS, DetailSerializer, ReadModelSerializer
from changemgmt.api.strict import StrictSerializer
from changemgmt.models import User

READ_ERRORS = {403: FORBIDDEN, 404: NOT_FOUND}


@extend_schema_serializer(examples=[OpenApiExample("A seat holder", response_only=True, value={
    "id": 5, "user": 12, "username": "sam.security", "seat": "security", "deputy": False, "active": True,
    "appointed_at": "2026-12-01T09:00:00Z"})])
class BoardMemberSerializer(ReadModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = BoardMember
        fields = ["id", "user", "username", "seat", "deputy", "active", "appointed_at"]
        read_only_fields = fields


@extend_schema_serializer(examples=[OpenApiExample("Appoint", request_only=True,
                                                   value={"user": 12, "seat": "security", "deputy": False})])
class AppointInput(StrictSerializer):
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), help_text="User id")
    seat = serializers.ChoiceField(choices=Seat.choices)
    deputy = serializers.BooleanField(required=False, default=False,
                                      help_text="Stands in for the seat's principal")


@extend_schema_view(
    list=extend_schema(operation_id="cab_board_list", description="Every seat holder, retired ones included.",
                       responses={200: BoardMemberSerializer(many=True), 403: FORBIDDEN,
                                  404: OpenApiResponse(DetailSerializer, description="No such page.")}),
    retrieve=extend_schema(operation_id="cab_board_retrieve", responses={200: BoardMemberSerializer, **READ_ERRORS}),
)
class BoardViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [ReadOnlyForAuditors]
    serializer_class = BoardMemberSerializer
    queryset = BoardMember.objects.select_related("user")
    lookup_value_regex = r"\d+"

    @extend_schema(operation_id="cab_board_appoint", request=AppointInput,
                   responses={201: BoardMemberSerializer, **WRITE_ERRORS},
                   description="Give a person a seat, as principal or deputy (an administrator appoints the chair, "
                               "the chair the other seats); re-appointing a retired member re-activates the seat.")
    def create(self, request):
        body = AppointInput(data=request.data)
        body.is_valid(raise_exception=True)
        member = board.appoint(actor=request.user, **body.validated_data)
        return Response(BoardMemberSerializer(member).data, status=status.HTTP_201_CREATED)

    @extend_schema(operation_id="cab_board_retire", request=None,
                   responses={200: BoardMemberSerializer, **READ_ERRORS, 409: CONFLICT},
                   description="End a seat: the member no longer counts for quorum nor votes; the row stays.")
    @action(detail=True, methods=["post"])
    def retire(self, request, pk):
        member = board.retire(actor=request.user, member_id=self.get_object().pk)
        return Response(BoardMemberSerializer(member).data)
