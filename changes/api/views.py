"""Change requests over the API. Views parse the JSON body, call one service and render through a
selector: permission, validation, gates and the ledger are the services' (changes.services)."""
import re

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from approvals.api.serializers import SlotSerializer
from changemgmt.api.input import ID, checked_body, shapes_of_form
from changemgmt.api.pagination import BoundedPageNumberPagination
from changemgmt.api.permissions import ReadOnlyForAuditors
from changemgmt.api.schema import CONFLICT, FORBIDDEN, NOT_FOUND, WRITE_ERRORS, DetailSerializer
from changemgmt.web.paging import BoundedPaginator
from changes import selectors, services
from changes.api import representation, serializers
from changes.api import selectors as api_selectors
from changes.filters import ChangeFilter
from changes.forms import EXTERNAL_REFERENCE, ChangeForm, RiskForm, TestEvidenceForm
from changes.models import ChangeRequest

CHANGE_SHAPES = shapes_of_form(ChangeForm, template=ID)
READ_ERRORS = {403: FORBIDDEN, 404: NOT_FOUND}


def change_detail(pk) -> ChangeRequest:
    """The change with its relations (fixed query count), for views that reason about it, or 404."""
    return get_object_or_404(selectors.change_detail_queryset(), pk=pk)


def change_json(pk) -> dict:
    """The change as ChangeDetailSerializer documents it, read in one query and written by hand
    (changes.api.selectors.change_detail_row, changes.api.representation.detail), or 404."""
    row = api_selectors.change_detail_row(pk)
    if row is None:
        raise Http404("No such change.")
    return representation.detail(row)


class ChangeRowsPaginator(BoundedPaginator):
    """Counts the filtered changes as they are (no join), then reads the page it cut as rows."""

    def _get_page(self, object_list, number, paginator):
        return super()._get_page(api_selectors.page_rows(object_list), number, paginator)


class ChangePagination(BoundedPageNumberPagination):
    django_paginator_class = ChangeRowsPaginator


class ChangeAPIView:
    """Shared settings: deny by default (a role is needed; auditors read only); JSON bodies only (the API-wide
    parser, changemgmt.api.parsers)."""

    permission_classes = [ReadOnlyForAuditors]


@extend_schema_view(
    list=extend_schema(description="Change requests, newest first, with the web list's filters.",
                       responses={200: serializers.ChangeListSerializer(many=True), 400: WRITE_ERRORS[400],
                                  403: FORBIDDEN, 404: OpenApiResponse(DetailSerializer, description="No such page.")}),
    retrieve=extend_schema(responses={200: serializers.ChangeDetailSerializer, **READ_ERRORS}),
)
class ChangeViewSet(ChangeAPIView, mixins.ListModelMixin, viewsets.GenericViewSet):
    """List, file, read and edit change requests. PUT is not offered: edits are partial (PATCH)."""

    filterset_class = ChangeFilter
    pagination_class = ChangePagination
    queryset = ChangeRequest.objects.none()  # for schema introspection; get_queryset serves requests

    def get_queryset(self):
        return api_selectors.change_rows()

    def filter_queryset(self, queryset):
        """Without a filter in the query string the FilterSet changes nothing (every filter skips an
        empty value), but building and validating its form was a tenth of the request: skip it."""
        if ChangeFilter.given(self.request.query_params):
            return super().filter_queryset(queryset)
        return queryset

    def get_serializer_class(self):
        return serializers.ChangeListSerializer if self.action == "list" else serializers.ChangeDetailSerializer

    def retrieve(self, request, pk):
        """By id only: the list's filters do not apply to a single change."""
        return Response(change_json(pk))

    @extend_schema(request=serializers.ChangeRequestBody,
                   responses={201: serializers.ChangeDetailSerializer, **WRITE_ERRORS},
                   description="File a change (it starts in the request state). With `template`, a standard "
                               "change from the catalog: the template's controlled fields and scorecard apply.")
    def create(self, request):
        body = checked_body(request.data, CHANGE_SHAPES)
        if "template" in body:
            template_id = body.pop("template")
            change = services.create_from_template(actor=request.user, template_id=template_id, data=body)
        else:
            change = services.create_change(actor=request.user, data=body)
        return Response(change_json(change.pk), status=status.HTTP_201_CREATED)

    @extend_schema(request=serializers.ChangeUpdateBody,
                   responses={200: serializers.ChangeSavedSerializer, **WRITE_ERRORS},
                   description="Edit some fields; the author or owner only, before approval. Editing a field a "
                               "standard template controls turns the change normal (see `notices`).")
    def partial_update(self, request, pk):
        body = checked_body(request.data, shapes_of_form(ChangeForm))
        saved = services.update_change(change_id=pk, actor=request.user, data=body)
        return Response({**change_json(saved.change.pk), "notices": list(saved.notices)})


_PERSON = {"id": 5, "username": "rita.requester", "name": "Rita Requester"}
_BLANK = ("description", "business_justification", "impact_systems", "impact_users", "implementation_plan",
          "test_plan", "rollback_plan", "pr_url", "emergency_criterion", "freeze_justification", "deployment_method",
          "outcome", "lessons_learned", "closing_reason", "risk_level")
EXAMPLE_CHANGE = {
    **dict.fromkeys(_BLANK, ""), **dict.fromkeys(("submitted_at", "approved_at", "deployed_at", "verified_at",
                                                   "closed_at", "team", "template"), None),
    "id": 42, "reference": "CHG-000042", "title": "Rotate the payments API's TLS certificate", "state": "draft",
    "state_label": "Request", "change_type": "normal", "category": "infrastructure", "owner": _PERSON,
    "requester": _PERSON, "services": [{"id": 3, "name": "payments-api", "criticality": "high"}],
    "planned_start": "2026-03-03T09:00:00Z", "planned_end": "2026-03-03T10:00:00Z",
    "created_at": "2026-02-20T09:00:00Z", "updated_at": "2026-02-20T09:00:00Z", "external_source": "jira",
    "external_key": "PAY-42", "ticket_url": "https://jira.example.com/browse/PAY-42", "security_triggers": [],
    "risk": {"scores": dict.fromkeys(("systems", "users", "data", "reversibility", "security")), "total": None,
             "computed": "", "override": "", "override_reason": "", "override_by": None, "final": ""},
    "approvals": {"pending": 0, "granted": 0, "rejected": 0, "slots": []}, "test_evidence": [],
    "predeploy_checklist": {}, "verification_checks": {}, "review_answers": {}, "rollbacks": [], "notices": [],
}
EXTERNAL_PARAMETERS = [
    OpenApiParameter("source", str, OpenApiParameter.PATH, description="The ticketing tool (e.g. jira): 1-50 "
                     "lowercase letters, digits and . _ -."),
    OpenApiParameter("key", str, OpenApiParameter.PATH, description="The ticket's key in it (e.g. PAY-42)."),
]
EXTERNAL_EXAMPLES = [
    OpenApiExample("Create or update from a ticket", request_only=True, value={
        "title": "Rotate the payments API's TLS certificate", "services": [3],
        "planned_start": "2026-03-03T09:00:00Z", "planned_end": "2026-03-03T10:00:00Z",
        "ticket_url": "https://jira.example.com/browse/PAY-42"}),
    OpenApiExample("A standard change from the catalog", request_only=True,
                   value={"template": 2, "services": [3], "planned_start": "2026-03-03T09:00:00Z",
                          "planned_end": "2026-03-03T09:30:00Z"}),
    OpenApiExample("Answer", response_only=True, status_codes=["200", "201"], value=EXAMPLE_CHANGE),
    OpenApiExample("Bad input", response_only=True, status_codes=["400"],
                   value={"external_source": ["The external source is 1-50 lowercase letters, digits and . _ - "
                                              "(e.g. jira)."]}),
]


class ExternalReferenceView(ChangeAPIView, viewsets.ViewSet):
    """The change a ticketing tool keeps, by its external reference (issue 10 §8)."""

    @extend_schema(operation_id="changes_by_external_retrieve", parameters=EXTERNAL_PARAMETERS,
                   examples=EXTERNAL_EXAMPLES[2:3],
                   responses={200: serializers.ChangeDetailSerializer, **READ_ERRORS},
                   description="The change carrying this external reference, or 404.")
    def retrieve(self, request, source, key):
        if not (re.match(EXTERNAL_REFERENCE["external_source"], source)
                and re.match(EXTERNAL_REFERENCE["external_key"], key)):
            raise Http404("No change carries this external reference.")  # not a reference: nothing to look up
        change = get_object_or_404(ChangeRequest.objects.only("pk"), external_source=source, external_key=key)
        return Response(change_json(change.pk))

    @extend_schema(operation_id="changes_by_external_put", parameters=EXTERNAL_PARAMETERS,
                   request=serializers.ChangeRequestBody, examples=EXTERNAL_EXAMPLES,
                   responses={200: serializers.ChangeSavedSerializer, 201: serializers.ChangeSavedSerializer,
                              **WRITE_ERRORS, 409: CONFLICT},
                   description="Create or update: with no change carrying (source, key), file one carrying it (201; "
                               "`template` makes it a standard change, as POST /api/changes/); else edit that change "
                               "with the fields given (200; absent fields keep their value; the same rules as PATCH). "
                               "The same validation and ledger entries as filing and editing a change.")
    def put(self, request, source, key):
        body = checked_body(request.data, CHANGE_SHAPES)
        saved, created = services.save_by_external_reference(actor=request.user, source=source, key=key, data=body)
        return Response({**change_json(saved.change.pk), "notices": list(saved.notices)},
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class RiskView(ChangeAPIView, viewsets.ViewSet):
    """The risk scorecard of one change."""

    @extend_schema(request=serializers.RiskRequestBody,
                   responses={200: serializers.ChangeDetailSerializer, **WRITE_ERRORS},
                   description="Score the five factors (1-3). The computed level follows POLICY §2; a reviewer "
                               "may raise it with `override` and a written `override_reason`.")
    def score(self, request, pk):
        body = checked_body(request.data, shapes_of_form(RiskForm))
        services.score_risk(change_id=pk, actor=request.user, data=body)
        return Response(change_json(pk))


class TestEvidenceView(ChangeAPIView, viewsets.ViewSet):
    """Test runs recorded toward the test gate."""

    @extend_schema(operation_id="changes_test_evidence_create", request=serializers.TestEvidenceRequestBody,
                   responses={201: serializers.TestEvidenceSerializer, **WRITE_ERRORS})
    def create(self, request, pk):
        body = checked_body(request.data, shapes_of_form(TestEvidenceForm))
        evidence = services.record_test_evidence(change_id=pk, actor=request.user, data=body)
        return Response(serializers.TestEvidenceSerializer(evidence).data, status=status.HTTP_201_CREATED)


class ApprovalSlotsView(ChangeAPIView, viewsets.ViewSet):
    """The approval slots of one change, superseded ones included, in creation order."""

    @extend_schema(operation_id="changes_approvals_list",
                   responses={200: SlotSerializer(many=True), **READ_ERRORS})
    def slots(self, request, pk):
        change = change_detail(pk)
        return Response(SlotSerializer(change.approval_slots.all(), many=True).data)


class HistoryView(ChangeAPIView, viewsets.ViewSet):
    """The change's ledger entries, oldest first: the audit trail an auditor reads."""

    @extend_schema(operation_id="changes_history_list",
                   responses={200: serializers.LedgerEntrySerializer(many=True), **READ_ERRORS})
    def entries(self, request, pk):
        change = get_object_or_404(ChangeRequest, pk=pk)
        return Response(serializers.LedgerEntrySerializer(selectors.ledger_for(change), many=True).data)
