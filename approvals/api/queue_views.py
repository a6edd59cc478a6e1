"""API: my approval slots (filterable by status and role) with their SLA clocks, and delegations."""
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from approvals import badges, delegation, selectors
from approvals.api.serializers import DelegationRequestSerializer, DelegationSerializer, QueueSlotSerializer
from approvals.choices import SlotRole, SlotStatus
from approvals.rules import decision_refusals
from changemgmt.api.permissions import HasAnyRole, ReadOnlyForAuditors
from changemgmt.api.schema import CONFLICT, FIELD_ERRORS, FORBIDDEN, WRITE_ERRORS
from changemgmt.api.strict import validated
from changemgmt.models import User


def slot_row(slot, user, delegators, rclock) -> dict:
    text, colour = badges.sla_badge(slot, rclock)
    on_behalf = delegation.acting_for(user, slot, delegators)
    refusals = decision_refusals(user, slot, siblings=slot.change.live_slots, on_behalf_of=on_behalf) \
        if slot.status == SlotStatus.PENDING else []
    return {
        "id": slot.pk, "change": slot.change_id, "change_reference": slot.change.reference,
        "change_title": slot.change.title, "role": slot.role, "ordinal": slot.ordinal, "rule": slot.rule,
        "policy": slot.policy, "status": slot.status, "due_at": slot.due_at, "sla": text, "sla_colour": colour,
        "decided_by": slot.decided_by.username if slot.decided_by_id else None,
        "on_behalf_of": slot.on_behalf_of.username if slot.on_behalf_of_id else None,
        "may_decide": not refusals, "refusals": refusals,
        "acting_for": on_behalf.username if on_behalf else None,
    }


class MySlotsView(APIView):
    """GET ?status=pending|granted|rejected&role=<slot role>: my approvals, soonest due first."""

    permission_classes = [HasAnyRole]

    @extend_schema(
        operation_id="approvals_mine_list",
        parameters=[
            OpenApiParameter("status", enum=[SlotStatus.PENDING, SlotStatus.GRANTED, SlotStatus.REJECTED],
                             description="pending (default): waiting for my roles; granted/rejected: decided by me."),
            OpenApiParameter("role", enum=SlotRole.values, description="Only slots of this role."),
        ],
        responses={200: QueueSlotSerializer(many=True), 400: FIELD_ERRORS, 403: FORBIDDEN},
    )
    def get(self, request):
        status = request.query_params.get("status", SlotStatus.PENDING)
        role = request.query_params.get("role") or None
        if status not in (SlotStatus.PENDING, SlotStatus.GRANTED, SlotStatus.REJECTED):
            raise ValidationError({"status": "Must be pending, granted or rejected."})
        if role and role not in SlotRole.values:
            raise ValidationError({"role": f"Must be one of {', '.join(SlotRole.values)}."})
        rows, delegators = selectors.my_slots(request.user, status=status, role=role)
        rclock = badges.RequestClock(timezone.now())
        return Response([slot_row(slot, request.user, delegators, rclock) for slot in rows[:500]])


class DelegationView(APIView):
    """POST {"delegate": username, "starts_on": YYYY-MM-DD, "ends_on": YYYY-MM-DD, "reason": text}."""

    permission_classes = [ReadOnlyForAuditors]

    @extend_schema(
        operation_id="approvals_delegations_create",
        request=DelegationRequestSerializer,
        responses={201: DelegationSerializer, **WRITE_ERRORS},
        description="403 when you hold no approval role to delegate; 404 when the delegate is unknown.",
    )
    def post(self, request):
        data = validated(DelegationRequestSerializer, request.data)
        delegate = get_object_or_404(User, username=data["delegate"], is_active=True)
        row = delegation.create_delegation(actor=request.user, delegate=delegate, starts_on=data["starts_on"],
                                           ends_on=data["ends_on"], reason=data["reason"])
        return Response({"id": row.pk, "delegate": delegate.username, "starts_on": row.starts_on,
                         "ends_on": row.ends_on}, status=201)


class DelegationRevokeView(APIView):
    """POST: end one of my delegations now (approvals.delegation.revoke_delegation)."""

    permission_classes = [ReadOnlyForAuditors]

    @extend_schema(operation_id="approvals_delegations_revoke", request=None,
                   responses={200: DelegationSerializer, **WRITE_ERRORS, 409: CONFLICT},
                   description="403 unless you gave the delegation (or administer); 409 when already revoked or over.")
    def post(self, request, delegation_id: int):
        row = delegation.revoke_delegation(actor=request.user, delegation_id=delegation_id)
        return Response({"id": row.pk, "delegate": row.delegate.username, "starts_on": row.starts_on,
                         "ends_on": row.ends_on})
