"""The on-call roster over the API: anyone with a role reads who is on call as emergency authorizer
and when; administrators add, change and remove shifts through approvals.services (the admin's door
too), one ledger entry each."""
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from approvals import services
from approvals.models import OnCallShift
from changemgmt.api.permissions import ReadOnlyForAuditors
from changemgmt.api.schema import FORBIDDEN, NOT_FOUND, WRITE_ERRORS, DetailSerializer, ReadModelSerializer
from changemgmt.api.strict import Moment, StrictSerializer
from changemgmt.models import User

READ_ERRORS = {403: FORBIDDEN, 404: NOT_FOUND}


_SHIFT = {"role": "manager", "user": 8, "starts_at": "2026-12-05T18:00:00Z", "ends_at": "2026-12-07T08:00:00Z"}


@extend_schema_serializer(examples=[OpenApiExample("A shift", response_only=True,
                                                   value={"id": 21, **_SHIFT, "username": "maria.manager"})])
class ShiftSerializer(ReadModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = OnCallShift
        fields = ["id", "role", "user", "username", "starts_at", "ends_at"]
        read_only_fields = fields


@extend_schema_serializer(examples=[OpenApiExample("A weekend shift", request_only=True, value=_SHIFT)])
class ShiftInput(StrictSerializer):
    role = serializers.ChoiceField(choices=OnCallShift.ROLE_CHOICES)
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), help_text="User id")
    starts_at = Moment()
    ends_at = Moment(help_text="After the start")


@extend_schema_view(
    list=extend_schema(operation_id="oncall_shifts_list", description="Every shift, by start time.",
                       responses={200: ShiftSerializer(many=True), 403: FORBIDDEN,
                                  404: OpenApiResponse(DetailSerializer, description="No such page.")}),
    retrieve=extend_schema(operation_id="oncall_shifts_retrieve", responses={200: ShiftSerializer, **READ_ERRORS}),
    create=extend_schema(operation_id="oncall_shifts_create", request=ShiftInput,
                         responses={201: ShiftSerializer, **WRITE_ERRORS},
                         description="Add a shift (administrators; recorded in the ledger)."),
    partial_update=extend_schema(operation_id="oncall_shifts_partial_update", request=ShiftInput,
                                 responses={200: ShiftSerializer, **WRITE_ERRORS},
                                 description="Change some fields of a shift (administrators; in the ledger with the "
                                             "values before)."),
    destroy=extend_schema(operation_id="oncall_shifts_destroy", responses={204: None, **WRITE_ERRORS},
                          description="Remove a shift (administrators; recorded in the ledger)."),
)
class ShiftViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [ReadOnlyForAuditors]
    serializer_class = ShiftSerializer
    queryset = OnCallShift.objects.select_related("user")
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    lookup_value_regex = r"\d+"

    def create(self, request):
        body = ShiftInput(data=request.data)
        body.is_valid(raise_exception=True)
        shift = services.save_shift(actor=request.user, shift=OnCallShift(**body.validated_data))
        return Response(ShiftSerializer(shift).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk):
        shift = self.get_object()
        body = ShiftInput(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        for name, value in body.validated_data.items():
            setattr(shift, name, value)
        return Response(ShiftSerializer(services.save_shift(actor=request.user, shift=shift)).data)

    def destroy(self, request, pk):
        services.delete_shift(actor=request.user, shift=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
