"""The audit workspace over the API, for auditors and administrators (anyone else 403; auditors with a
token too): the ledger filtered and paged by `seq` keyset, the population and exceptions of a period
(JSON, or the CSV the page streams), tombstones, a change's evidence pack, and the legal hold (the
retention service; administrators and the CISO)."""
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

from audit import evidence, selectors
from audit.api.serializers import (
    ExceptionSerializer,
    LedgerPageSerializer,
    LegalHoldInput,
    LegalHoldSerializer,
    PopulationSerializer,
    TombstoneSerializer,
)
from audit.forms import LedgerFilterForm, PeriodForm
from audit.population import Period, exception_rows, population_rows
from audit.retention import services as retention
from audit.retention.models import Tombstone
from changemgmt.api.permissions import HasAnyRole
from changemgmt.api.schema import CONFLICT, FIELD_ERRORS, FORBIDDEN, NOT_FOUND, WRITE_ERRORS
from changemgmt.ledger import merkle_store
from changemgmt.ledger.api.views import AuditorsAndAdministrators
from changes.models import ChangeRequest

READ_ERRORS = {400: FIELD_ERRORS, 403: FORBIDDEN}
PERIOD = [OpenApiParameter("from", OpenApiTypes.DATE, description="First day (default 90 days ago)"),
          OpenApiParameter("to", OpenApiTypes.DATE, description="Last day, included (default today)")]
LEDGER_FILTERS = [
    OpenApiParameter("actor", str, description="Username, or `system`"),
    OpenApiParameter("action", str, description="An action or its prefix, e.g. `change.`"),
    OpenApiParameter("subject", str, description="A subject or its prefix, e.g. `changes.changerequest:12`"),
    OpenApiParameter("start", OpenApiTypes.DATE, description="Recorded on or after this day"),
    OpenApiParameter("end", OpenApiTypes.DATE, description="Recorded on or before this day"),
    OpenApiParameter("before", int, description="Only entries with a lower seq (the previous page's `next_before`)"),
]
ENTRY_EXAMPLE = {"seq": 41, "recorded_at": "2026-11-23T17:00:00Z", "actor": "bob", "action": "approval.granted",
                 "subject": "changes.changerequest:7", "payload": {"slot": 12, "role": "peer_reviewer"},
                 "prev_hash": "5f1c…", "entry_hash": "9a2e…"}


def _period(request) -> Period:
    form = PeriodForm(request.query_params)
    if not form.is_valid():
        raise ApiValidationError({field: [str(e) for e in errors] for field, errors in form.errors.items()})
    return Period(form.cleaned_data["from"], form.cleaned_data["to"])


def _dicts(rows):
    rows = iter(rows)
    columns = next(rows)
    return [dict(zip(columns, row, strict=True)) for row in rows]


class AuditViewSet(viewsets.GenericViewSet):
    permission_classes = [AuditorsAndAdministrators]
    queryset = Tombstone.objects.none()
    pagination_class = None

    @extend_schema(operation_id="audit_ledger", parameters=LEDGER_FILTERS,
                   responses={200: LedgerPageSerializer, **READ_ERRORS},
                   examples=[OpenApiExample("A page", value={"results": [ENTRY_EXAMPLE], "next_before": 41},
                                            response_only=True)],
                   description="Ledger entries, newest first, 50 a page, filtered; pages follow the `seq` keyset "
                               "(`before`), so every page costs the same whatever its depth. A bad filter is a "
                               "400 naming the field.")
    def ledger(self, request):
        form = LedgerFilterForm(request.query_params)
        if not form.is_valid():
            raise ApiValidationError({field: [str(e) for e in errors] for field, errors in form.errors.items()})
        data = form.cleaned_data
        chosen = selectors.LedgerFilter(actor=data["actor"], action=data["action"], subject=data["subject"],
                                        start=data["start"], end=data["end"])
        entries, next_before = selectors.ledger_page(chosen, before=data["before"])
        return Response(LedgerPageSerializer({"results": entries, "next_before": next_before}).data)

    @extend_schema(operation_id="audit_population", parameters=PERIOD,
                   responses={200: PopulationSerializer, **READ_ERRORS},
                   examples=[OpenApiExample("One change", response_only=True, value={
                       "start": "2026-09-01", "end": "2026-11-30", "rows": [{
                           "reference": "CHG-000007", "title": "Raise the refund limit", "type": "normal",
                           "risk": "low", "state": "closed", "created_at": "2026-11-02T14:00:00+00:00",
                           "deployed_at": "2026-11-10T11:15:00+00:00", "approvals_complete_before_deploy": "yes",
                           "separation_of_duties_held": "yes", "tests_per_risk_present": "yes",
                           "deployed_inside_window": "yes", "pir_done": "yes",
                           "emergency_paperwork_on_time": "n/a", "exceptions": ""}]})],
                   description="Every change filed in the period with its control attributes (`yes`, `no`, `n/a`) "
                               "and the rules it broke — the page's population.csv as JSON.")
    def population(self, request):
        period = _period(request)
        return Response({"start": period.start, "end": period.end, "rows": _dicts(population_rows(period))})

    @extend_schema(operation_id="audit_exceptions", parameters=PERIOD,
                   responses={200: ExceptionSerializer(many=True), **READ_ERRORS},
                   examples=[OpenApiExample("One exception", response_only=True, value=[{
                       "reference": "CHG-000012", "rule": "exit_has_a_reason",
                       "policy": "POLICY §4 (reject, cancel: a reason)", "message": "cancelled without a reason"}])],
                   description="Every control exception of the period's changes: the rule it broke, its POLICY "
                               "reference and why.")
    def exceptions(self, request):
        return Response(_dicts(exception_rows(_period(request))))

    @extend_schema(operation_id="audit_tombstones", responses={200: TombstoneSerializer(many=True), **READ_ERRORS},
                   parameters=[OpenApiParameter("change", int, description="Only this change's purged records")],
                   description="What retention purged (POLICY §9), newest first (at most 500): kind, record, "
                               "reference, the date retention counted from, when, and the SHA-256 of the content.")
    def tombstones(self, request):
        rows = Tombstone.objects.all()
        change = request.query_params.get("change")
        if change:
            if not change.isdigit():
                raise ApiValidationError({"change": ["Give a change id (a whole number)."]})
            rows = rows.filter(change_id=int(change))
        return Response(TombstoneSerializer(rows[:500], many=True).data)

    @extend_schema(operation_id="audit_evidence_pack",
                   responses={(200, "application/zip"): OpenApiResponse(
                       OpenApiTypes.BINARY, description="The evidence pack: README.txt, the change's records and "
                       "its ledger entries with inclusion proofs against ledger/tree_head.json"),
                              403: FORBIDDEN, 404: NOT_FOUND, 409: CONFLICT},
                   description="One change's evidence pack (zip), the same archive as the workspace's download; a "
                               "tree head is signed when none covers the change's last entry (409 while the Merkle "
                               "tree is out of step with the ledger).")
    def evidence(self, request, change_id: int):
        change = get_object_or_404(ChangeRequest, pk=change_id)
        try:
            pack = evidence.build(change, request.user)
        except merkle_store.TreeOutOfStep as problem:
            return Response({"detail": str(problem)}, status=409)
        response = HttpResponse(pack, content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="evidence-{change.reference}.zip"'
        return response


class LegalHoldViewSet(viewsets.GenericViewSet):
    permission_classes = [HasAnyRole]  # the service decides: administrators and the CISO
    queryset = ChangeRequest.objects.none()
    serializer_class = LegalHoldSerializer

    @extend_schema(operation_id="audit_legal_hold", request=LegalHoldInput,
                   responses={200: LegalHoldSerializer, **WRITE_ERRORS, 409: CONFLICT},
                   examples=[OpenApiExample("Place", value={"hold": True, "reason": "Litigation hold, case 42"},
                                            request_only=True)],
                   description="Place or release a legal hold on a change (administrators and the CISO; auditors "
                               "403). While held, retention purges nothing of the change. A reason is required "
                               "(400 on `reason`); placing a hold already placed, or releasing none, is 409. One "
                               "ledger entry each.")
    def update_hold(self, request, change_id: int):
        body = LegalHoldInput(data=request.data)
        body.is_valid(raise_exception=True)
        change = retention.set_legal_hold(change_id=change_id, actor=request.user, **body.validated_data)
        return Response({"id": change.pk, "reference": change.reference, "legal_hold": change.legal_hold,
                         "legal_hold_reason": change.legal_hold_reason})
