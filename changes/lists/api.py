"""The change list's own actions over the API, through the services and selectors its page uses
(changes.lists.services, .selectors, .presenters): my saved filters (list, save, rename, delete), bulk
reschedule or cancel with a result per change, and the CSV export of the filtered list, streamed.
Permissions are the page's: anyone with a role keeps filters and exports; auditors write no change.
An `Idempotency-Key` on the POSTs is honoured by changemgmt.api.idempotency, as on every API POST."""
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from changemgmt.api.permissions import HasAnyRole
from changemgmt.api.schema import FIELD_ERRORS, FORBIDDEN, WRITE_ERRORS
from changemgmt.api.strict import validated
from changes import selectors as change_selectors
from changes.api.views import ChangeAPIView
from changes.filters import ChangeFilter
from changes.lists import api_serializers as io
from changes.lists import presenters, services
from changes.lists import selectors as list_selectors
from changes.lists.models import SavedFilter


@extend_schema_view(
    list=extend_schema(operation_id="changes_saved_filters_list", description="Your saved filters, by name.",
                       responses={200: io.SavedFilterSerializer(many=True), 403: FORBIDDEN}),
    create=extend_schema(operation_id="changes_saved_filters_create", request=io.SavedFilterInput,
                         responses={201: io.SavedFilterSerializer, **WRITE_ERRORS},
                         description="Save a filter of the change list under a name, for you only (under a name you "
                                     "already use, its query is replaced). Recorded in the ledger."),
    partial_update=extend_schema(operation_id="changes_saved_filters_rename", request=io.RenameInput,
                                 responses={200: io.SavedFilterSerializer, **WRITE_ERRORS},
                                 description="Rename one of your filters (its query stays). Anyone else's is a 404; "
                                             "a name you already use is a 400. Recorded in the ledger."),
    destroy=extend_schema(operation_id="changes_saved_filters_destroy", responses={204: None, **WRITE_ERRORS},
                          description="Delete one of your filters (anyone else's is a 404). Recorded in the ledger."),
)
class SavedFilterViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """A person's saved filters: each is theirs alone, whatever their roles (auditors keep filters too)."""

    permission_classes = [HasAnyRole]
    serializer_class = io.SavedFilterSerializer
    queryset = SavedFilter.objects.none()  # for schema introspection; list() reads through the selector
    pagination_class = None
    filter_backends = []
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def list(self, request):
        return Response(io.SavedFilterSerializer(list_selectors.saved_filters(request.user), many=True).data)

    def create(self, request):
        body = validated(io.SavedFilterInput, request.data)
        saved = services.save_filter(actor=request.user, data={"name": body["name"], "query": body.get("query", "")})
        return Response(io.SavedFilterSerializer(saved).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk):
        body = validated(io.RenameInput, request.data)
        saved = services.rename_filter(actor=request.user, filter_id=int(pk), name=body["name"])
        return Response(io.SavedFilterSerializer(saved).data)

    def destroy(self, request, pk):
        services.delete_filter(actor=request.user, filter_id=int(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class BulkView(ChangeAPIView, APIView):
    @extend_schema(operation_id="changes_bulk", summary="Reschedule or cancel several changes",
                   request=io.BulkInput, responses={200: io.BulkResultSerializer, **WRITE_ERRORS},
                   description="The change list's bulk action: each change goes through the same service as its "
                               "own page (the cancel transition, or reschedule with its schedule checks), locked, "
                               "checked and recorded on its own. A refused change is listed with the reason and "
                               "nothing is written for it; the others go ahead. Bad input (400) does nothing.")
    def post(self, request):
        body = validated(io.BulkInput, request.data)
        outcome = services.bulk(actor=request.user, data=body)
        ids = {services.label_of(change_id): change_id for change_id in body["changes"]}
        return Response(io.BulkResultSerializer({
            "action": body["action"],
            "done": [{"change": ids[label], "reference": label} for label in outcome.done],
            "refused": [{"change": ids[label], "reference": label, "reason": why} for label, why in outcome.refused],
        }).data)


CSV_EXAMPLE = ",".join(presenters.CSV_HEADER) + "\r\nCHG-000042,Rotate the payments API's TLS certificate,Request," \
    "Normal,Infrastructure,,rita.requester,rita.requester,payments-api,2026-03-03T04:00:00-05:00," \
    "2026-03-03T05:00:00-05:00,2026-02-20T04:00:00-05:00\r\n"


class ExportView(ChangeAPIView, GenericAPIView):
    filterset_class = ChangeFilter
    queryset = change_selectors.change_rows().none()  # for schema introspection; get_queryset serves requests
    pagination_class = None

    def get_queryset(self):
        return change_selectors.change_rows()

    def perform_content_negotiation(self, request, force=False):
        """CSV whatever the Accept header asks; errors are JSON (the first renderer)."""
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(operation_id="changes_export_csv", summary="Export the filtered changes as CSV", filters=True,
                   responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, examples=[
                       OpenApiExample("Two lines", value=CSV_EXAMPLE)]),
                       400: FIELD_ERRORS, 403: FORBIDDEN},
                   description="Every change the filters match (all pages, in the list's order; the same filters "
                               "and `sort` as GET /api/changes/), as the change list's CSV export: the same columns, "
                               "times in ORG_TIME_ZONE, a cell that would start a spreadsheet formula prefixed with "
                               "'. Streamed 500 rows at a time, so memory stays flat. A bad filter is a 400 naming it.")
    def get(self, request):
        rows = self.filter_queryset(self.get_queryset())  # a bad filter raises here: 400, before streaming
        return StreamingHttpResponse(presenters.csv_lines(rows), content_type="text/csv; charset=utf-8",
                                     headers={"Content-Disposition": presenters.csv_disposition()})
