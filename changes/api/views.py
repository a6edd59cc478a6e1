"""Change requests over the API. Views parse the JSON body, call one service and render through a
selector: permission, validation, gates and the ledger are the services' (changes.services)."""
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from approvals.api.serializers import SlotSerializer
from changemgmt.api.input import ID, checked_body, shapes_of_form
from changemgmt.api.permissions import ReadOnlyForAuditors
from changemgmt.api.schema import FORBIDDEN, NOT_FOUND, WRITE_ERRORS, DetailSerializer
from changes import selectors, services
from changes.api import serializers
from changes.filters import ChangeFilter
from changes.forms import ChangeForm, RiskForm, TestEvidenceForm
from changes.models import ChangeRequest

CHANGE_SHAPES = shapes_of_form(ChangeForm, template=ID)
READ_ERRORS = {403: FORBIDDEN, 404: NOT_FOUND}


def change_detail(pk) -> ChangeRequest:
    """The change as the detail serializer needs it (fixed query count), or 404."""
    return get_object_or_404(selectors.change_detail_queryset(), pk=pk)


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
    queryset = ChangeRequest.objects.none()  # for schema introspection; get_queryset serves requests

    def get_queryset(self):
        return selectors.change_rows()

    def paginate_queryset(self, queryset):
        """The page's rows with their services attached in one query (see selectors.with_services)."""
        page = super().paginate_queryset(queryset)
        return None if page is None else selectors.with_services(page)

    def get_serializer_class(self):
        return serializers.ChangeListSerializer if self.action == "list" else serializers.ChangeDetailSerializer

    def retrieve(self, request, pk):
        """By id only: the list's filters do not apply to a single change."""
        return Response(serializers.ChangeDetailSerializer(change_detail(pk)).data)

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
        return Response(serializers.ChangeDetailSerializer(change_detail(change.pk)).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=serializers.ChangeUpdateBody,
                   responses={200: serializers.ChangeSavedSerializer, **WRITE_ERRORS},
                   description="Edit some fields; the author or owner only, before approval. Editing a field a "
                               "standard template controls turns the change normal (see `notices`).")
    def partial_update(self, request, pk):
        body = checked_body(request.data, shapes_of_form(ChangeForm))
        saved = services.update_change(change_id=pk, actor=request.user, data=body)
        return Response(serializers.ChangeSavedSerializer(change_detail(saved.change.pk),
                                                  context={"notices": saved.notices}).data)


class RiskView(ChangeAPIView, viewsets.ViewSet):
    """The risk scorecard of one change."""

    @extend_schema(request=serializers.RiskRequestBody,
                   responses={200: serializers.ChangeDetailSerializer, **WRITE_ERRORS},
                   description="Score the five factors (1-3). The computed level follows POLICY §2; a reviewer "
                               "may raise it with `override` and a written `override_reason`.")
    def score(self, request, pk):
        body = checked_body(request.data, shapes_of_form(RiskForm))
        services.score_risk(change_id=pk, actor=request.user, data=body)
        return Response(serializers.ChangeDetailSerializer(change_detail(pk)).data)


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
