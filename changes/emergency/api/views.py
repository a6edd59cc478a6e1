"""API of emergency changes, in the API's two shapes (README, Design): the paperwork list is a read-only
resource; recording a verbal authorization and recording the root cause are workflow actions on the
change, each a POST that parses its body, calls one service (changes.emergency.services,
changes.emergency.services.paperwork) and renders an output serializer over a selector's finished row.
Refusals as everywhere: 400 fields, 403, 409. Operation ids are pinned: clients rely on them."""
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.response import Response

from changemgmt.api.input import DATETIME, TEXT, checked_body
from changemgmt.api.permissions import HasAnyRole, ReadOnlyForAuditors
from changemgmt.api.schema import CONFLICT, FORBIDDEN, WRITE_ERRORS
from changes.emergency import selectors, services
from changes.emergency.api import serializers
from changes.emergency.services import paperwork

LIST_LIMIT = 500


class EmergencyViewSet(viewsets.GenericViewSet):
    """Deny by default (a role is needed; auditors read only); whole answers, no pages."""

    permission_classes = [ReadOnlyForAuditors]
    pagination_class = None
    filter_backends = []


class EmergencyChangeViewSet(EmergencyViewSet):
    """The workflow actions on one emergency change."""

    @extend_schema(
        operation_id="approvals_emergency_authorize",
        request=serializers.AuthorizationRequestSerializer,
        responses={201: serializers.AuthorizationSerializer, 202: serializers.AuthorizationSerializer,
                   **WRITE_ERRORS, 409: CONFLICT},
        description="201: you are the authorizer, the authorization is recorded. 202: recorded by someone else, it "
                    "awaits the authorizer's confirmation (they are sent a link; `id` is the request's). "
                    "403 when you may not record it or the authorizer may not authorize (wrong role, the author, "
                    "not on call after hours); 409 when the change is not an emergency waiting for its go-ahead "
                    "or this role already authorized it.",
    )
    def authorize(self, request, change_id: int):
        """POST {"authorizer": username, "role": manager|security|cto|ciso, "how": phone|in_person|chat,
        "authorized_at": ISO time (default now), "notes": text}."""
        body = checked_body(request.data, {"authorizer": TEXT, "role": TEXT, "how": TEXT, "authorized_at": DATETIME,
                                           "notes": TEXT}, reject_unknown=True)
        authorizer_id = selectors.user_id(body.get("authorizer") or "")
        row = services.record_verbal_authorization(
            change_id=change_id, actor=request.user, authorizer_id=authorizer_id,
            role=body.get("role") or "", how=body.get("how") or "", authorized_at=body.get("authorized_at") or None,
            notes=body.get("notes") or "")
        answer = selectors.authorization_row(row)
        return Response(serializers.AuthorizationSerializer(answer).data,
                        status=status.HTTP_202_ACCEPTED if answer.awaiting_confirmation else status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="approvals_emergency_root_cause",
        request=serializers.RootCauseRequestSerializer,
        responses={200: serializers.PaperworkSerializer, **WRITE_ERRORS, 409: CONFLICT},
        description="409 when the change has no open emergency paperwork (not deployed, or already complete).",
    )
    def root_cause(self, request, change_id: int):
        """POST {"root_cause": text}: the root-cause analysis of a deployed emergency change."""
        body = checked_body(request.data, {"root_cause": TEXT}, reject_unknown=True)
        review = paperwork.record_root_cause(change_id=change_id, actor=request.user, text=body.get("root_cause") or "")
        return Response(serializers.PaperworkSerializer(selectors.status_row(review, timezone.now())).data)


class PaperworkViewSet(EmergencyViewSet):
    """GET ?overdue=1: open emergency paperwork, soonest deadline first, and the emergency change rate."""

    permission_classes = [HasAnyRole]

    @extend_schema(
        operation_id="approvals_emergency_list",
        parameters=[OpenApiParameter("overdue", enum=["1"], description="1: only paperwork past its deadline.")],
        responses={200: serializers.PaperworkListSerializer, 403: FORBIDDEN},
    )
    def paperwork(self, request):
        """One object, not a list: the open paperwork and the emergency rate (so not the viewset's `list`)."""
        answer = selectors.paperwork_list(overdue_only=request.query_params.get("overdue") == "1", limit=LIST_LIMIT)
        return Response(serializers.PaperworkListSerializer(answer).data)
