"""API of emergency changes: record a verbal authorization, record the root cause, list the 24-hour
paperwork (with the emergency change rate). Refusals as everywhere: 400 fields, 403, 409."""
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from approvals.models import AuthorizationRequest
from changemgmt.api.input import DATETIME, TEXT, checked_body
from changemgmt.api.permissions import HasAnyRole, ReadOnlyForAuditors
from changemgmt.api.schema import CONFLICT, FORBIDDEN, WRITE_ERRORS
from changemgmt.models import User
from changes.emergency import authorization, paperwork, selectors, services
from changes.emergency.api.serializers import (
    AuthorizationRequestSerializer,
    AuthorizationSerializer,
    PaperworkListSerializer,
    PaperworkSerializer,
    RootCauseRequestSerializer,
)

FIELDS = ["id", "change_id", "reference", "title", "risk_level", "owner", "deployed_at", "due_at", "clock",
          "overdue", "completed_at", "documentation_complete", "documentation_missing", "approvals_complete",
          "root_cause_recorded", "cab_review"]


def paperwork_json(row: dict) -> dict:
    return {key: row[key] for key in FIELDS}


class AuthorizationView(APIView):
    """POST {"authorizer": username, "role": manager|security|cto|ciso, "how": phone|in_person|chat,
    "authorized_at": ISO time (default now), "notes": text}."""

    permission_classes = [ReadOnlyForAuditors]

    @extend_schema(
        operation_id="approvals_emergency_authorize",
        request=AuthorizationRequestSerializer,
        responses={201: AuthorizationSerializer, 202: AuthorizationSerializer, **WRITE_ERRORS, 409: CONFLICT},
        description="201: you are the authorizer, the authorization is recorded. 202: recorded by someone else, it "
                    "awaits the authorizer's confirmation (they are sent a link; `id` is the request's). "
                    "403 when you may not record it or the authorizer may not authorize (wrong role, the author, "
                    "not on call after hours); 409 when the change is not an emergency waiting for its go-ahead "
                    "or this role already authorized it.",
    )
    def post(self, request, change_id: int):
        body = checked_body(request.data, {"authorizer": TEXT, "role": TEXT, "how": TEXT, "authorized_at": DATETIME,
                                           "notes": TEXT}, reject_unknown=True)
        authorizer_id = User.objects.filter(username=body.get("authorizer") or "").values_list("pk", flat=True).first()
        row = services.record_verbal_authorization(
            change_id=change_id, actor=request.user, authorizer_id=authorizer_id, role=body.get("role") or "",
            how=body.get("how") or "", authorized_at=body.get("authorized_at") or None, notes=body.get("notes") or "")
        if isinstance(row, AuthorizationRequest):  # recorded by someone else: counts once the authorizer confirms
            return Response({"id": row.pk, "change": row.change_id, "authorizer": row.authorizer.username,
                             "role": row.authorizer_role, "how": row.how, "authorized_at": row.authorized_at,
                             "recorded_by": row.requested_by.username, "deploy_authorized": False}, status=202)
        return Response({"id": row.pk, "change": row.change_id, "authorizer": row.authorizer.username,
                         "role": row.authorizer_role, "how": row.how, "authorized_at": row.authorized_at,
                         "recorded_by": row.recorded_by.username,
                         "deploy_authorized": authorization.authorization_complete(row.change)}, status=201)


class RootCauseView(APIView):
    """POST {"root_cause": text}: the root-cause analysis of a deployed emergency change."""

    permission_classes = [ReadOnlyForAuditors]

    @extend_schema(
        operation_id="approvals_emergency_root_cause",
        request=RootCauseRequestSerializer,
        responses={200: PaperworkSerializer, **WRITE_ERRORS, 409: CONFLICT},
        description="409 when the change has no open emergency paperwork (not deployed, or already complete).",
    )
    def post(self, request, change_id: int):
        body = checked_body(request.data, {"root_cause": TEXT}, reject_unknown=True)
        review = paperwork.record_root_cause(change_id=change_id, actor=request.user,
                                                       text=body.get("root_cause") or "")
        return Response(paperwork_json(selectors.status_row(review, timezone.now())))


class PaperworkListView(APIView):
    """GET ?overdue=1: open emergency paperwork, soonest deadline first, and the emergency change rate."""

    permission_classes = [HasAnyRole]

    @extend_schema(
        operation_id="approvals_emergency_list",
        parameters=[OpenApiParameter("overdue", enum=["1"], description="1: only paperwork past its deadline.")],
        responses={200: PaperworkListSerializer, 403: FORBIDDEN},
    )
    def get(self, request):
        now = timezone.now()
        rows = selectors.reviews(overdue_only=request.query_params.get("overdue") == "1", now=now)
        return Response({"rate": selectors.emergency_rate(now),
                         "results": [paperwork_json(selectors.status_row(r, now)) for r in rows[:500]]})
