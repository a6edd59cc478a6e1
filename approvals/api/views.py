"""The approvals API, in the API's two shapes (README, Design): "my approvals" is a read-only list;
deciding a slot and giving or revoking a delegation are workflow actions, each a POST that parses its
body, calls one service (approvals.services, approvals.delegation) and renders an output serializer.
Operation ids are pinned: clients and the schema's links use them."""
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.response import Response

from approvals import selectors, services
from approvals.api import serializers
from approvals.choices import DecisionChannel, SlotRole, SlotStatus
from approvals.services import delegation
from changemgmt.api.input import TEXT, checked_body
from changemgmt.api.permissions import HasAnyRole, ReadOnlyForAuditors
from changemgmt.api.schema import CONFLICT, FIELD_ERRORS, FORBIDDEN, WRITE_ERRORS
from changemgmt.api.strict import validated
from changemgmt.models import User

QUEUE_STATUSES = (SlotStatus.PENDING, SlotStatus.GRANTED, SlotStatus.REJECTED)


class ApprovalViewSet(viewsets.GenericViewSet):
    """Deny by default (a role is needed; auditors read only); whole answers, no pages."""

    permission_classes = [ReadOnlyForAuditors]
    pagination_class = None
    filter_backends = []


class SlotViewSet(ApprovalViewSet):
    """Grant or reject one approval slot."""

    @extend_schema(
        operation_id="approvals_decide",
        request=serializers.DecisionRequestSerializer,
        responses={200: serializers.SlotSerializer, **WRITE_ERRORS, 409: CONFLICT},
        description="Separation of duties applies: the author, a second slot by the same person, a holder of "
                    "another role, or a grant that leaves no approver outside the author's team is refused with "
                    "403 and the reason. A slot already decided answers 409.",
    )
    def decide(self, request, slot_id: int):
        body = checked_body(request.data, {"verdict": TEXT, "reason": TEXT}, reject_unknown=True)
        slot = services.decide(slot_id=slot_id, actor=request.user, verdict=body.get("verdict") or "",
                               reason=body.get("reason") or "", channel=DecisionChannel.API)
        return Response(serializers.SlotSerializer(slot).data)


class MySlotsViewSet(ApprovalViewSet):
    """GET ?status=pending|granted|rejected&role=<slot role>: my approvals, soonest due first."""

    permission_classes = [HasAnyRole]

    @extend_schema(
        operation_id="approvals_mine_list",
        parameters=[
            OpenApiParameter("status", enum=[*QUEUE_STATUSES],
                             description="pending (default): waiting for my roles; granted/rejected: decided by me."),
            OpenApiParameter("role", enum=SlotRole.values, description="Only slots of this role."),
            OpenApiParameter("sort", enum=list(selectors.QUEUE_SORTS),
                             description="Order (the My approvals page's columns): due (default: soonest first), "
                                         "change, role, requested; prefix - for descending."),
        ],
        responses={200: serializers.QueueSlotSerializer(many=True), 400: FIELD_ERRORS, 403: FORBIDDEN},
    )
    def list(self, request):
        wanted = request.query_params.get("status", SlotStatus.PENDING)
        role = request.query_params.get("role") or None
        if wanted not in QUEUE_STATUSES:
            raise ValidationError({"status": "Must be pending, granted or rejected."})
        if role and role not in SlotRole.values:
            raise ValidationError({"role": f"Must be one of {', '.join(SlotRole.values)}."})
        sort = request.query_params.get("sort") or "due"
        if sort not in selectors.QUEUE_SORTS:
            raise ValidationError({"sort": f"Must be one of {', '.join(selectors.QUEUE_SORTS)}."})
        rows = selectors.queue_rows(request.user, status=wanted, role=role, sort=sort)
        return Response(serializers.QueueSlotSerializer(rows, many=True).data)


class DelegationViewSet(ApprovalViewSet):
    """POST {"delegate": username, "starts_on": YYYY-MM-DD, "ends_on": YYYY-MM-DD, "reason": text}."""

    @extend_schema(
        operation_id="approvals_delegations_create",
        request=serializers.DelegationRequestSerializer,
        responses={201: serializers.DelegationSerializer, **WRITE_ERRORS},
        description="403 when you hold no approval role to delegate; 404 when the delegate is unknown.",
    )
    def create(self, request):
        data = validated(serializers.DelegationRequestSerializer, request.data)
        delegate = get_object_or_404(User, username=data["delegate"], is_active=True)
        row = delegation.create_delegation(actor=request.user, delegate=delegate, starts_on=data["starts_on"],
                                           ends_on=data["ends_on"], reason=data["reason"])
        return Response(serializers.DelegationSerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(operation_id="approvals_delegations_revoke", request=None,
                   responses={200: serializers.DelegationSerializer, **WRITE_ERRORS, 409: CONFLICT},
                   description="403 unless you gave the delegation (or administer); 409 when already revoked or over.")
    def revoke(self, request, delegation_id: int):
        row = delegation.revoke_delegation(actor=request.user, delegation_id=delegation_id)
        return Response(serializers.DelegationSerializer(row).data)
