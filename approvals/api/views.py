"""Deciding an approval slot over the API: parse the body, call approvals.services.decide, render."""
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from approvals import services
from approvals.api.serializers import DecisionRequestSerializer, SlotSerializer
from changemgmt.api.input import TEXT, checked_body
from changemgmt.api.permissions import ReadOnlyForAuditors
from changemgmt.api.schema import CONFLICT, WRITE_ERRORS


class DecideView(APIView):
    """Grant or reject one approval slot."""

    permission_classes = [ReadOnlyForAuditors]

    @extend_schema(
        operation_id="approvals_decide",
        request=DecisionRequestSerializer,
        responses={200: SlotSerializer, **WRITE_ERRORS, 409: CONFLICT},
        description="Separation of duties applies: the author, a second slot by the same person, a holder of "
                    "another role, or a grant that leaves no approver outside the author's team is refused with "
                    "403 and the reason. A slot already decided answers 409.",
    )
    def post(self, request, slot_id: int):
        body = checked_body(request.data, {"verdict": TEXT, "reason": TEXT}, reject_unknown=True)
        slot = services.decide(slot_id=slot_id, actor=request.user, verdict=body.get("verdict") or "",
                               reason=body.get("reason") or "")
        return Response(SlotSerializer(slot).data)
