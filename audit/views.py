"""The audit workspace's pages and downloads, for auditors and administrators only (others 403).

Every door here reads; the evidence pack may sign a tree head, through the tree-heads service."""
import csv
import io
import json
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_POST
from openpyxl import Workbook

from audit import evidence, selectors
from audit.forms import LedgerFilterForm, PeriodForm
from audit.population import Period, exception_rows, population_rows
from audit.retention.models import Tombstone
from audit.retention.rules import may_hold
from audit.rules import may_audit
from changemgmt.ledger import merkle_store, tree_heads
from changemgmt.ledger.audit import checkpoint_document, verify_database
from changes.models import ChangeRequest

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def auditor_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not may_audit(request.user):
            raise PermissionDenied("Only auditors and administrators may use the audit workspace.")
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def _bad_request(form) -> HttpResponse:
    errors = {field: [str(e) for e in messages] for field, messages in form.errors.items()}
    return JsonResponse({"errors": errors}, status=400)


def _workspace(request, *, verification=None):
    form = LedgerFilterForm(request.GET)
    if not form.is_valid():
        return _bad_request(form)
    data = form.cleaned_data
    chosen = selectors.LedgerFilter(actor=data["actor"], action=data["action"], subject=data["subject"],
                                    start=data["start"], end=data["end"])
    entries, next_before = selectors.ledger_page(chosen, before=data["before"])
    query = request.GET.copy()
    query.pop("before", None)
    return render(request, "audit/workspace.html", {
        "form": form, "entries": entries, "next_before": next_before, "query": query.urlencode(),
        "verification": verification, "checkpoints": selectors.checkpoints()[:20],
        "tree_heads": selectors.tree_heads()[:20], "period": PeriodForm({})})


@auditor_required
@require_GET
def workspace(request):
    """The ledger, newest first and filterable, with verify now, checkpoints and tree heads."""
    return _workspace(request)


@auditor_required
@require_POST
def verify_now(request):
    """Walk the whole ledger against its checkpoints (read-only) and show the outcome."""
    return _workspace(request, verification=verify_database())


@auditor_required
@require_GET
def checkpoint_download(request, pk: int):
    checkpoint = get_object_or_404(selectors.checkpoints(), pk=pk)
    return _json_download(checkpoint_document(checkpoint), f"checkpoint-{checkpoint.seq}.json")


@auditor_required
@require_GET
def tree_head_download(request, tree_size: int):
    head = get_object_or_404(selectors.tree_heads(), tree_size=tree_size)
    return _json_download(tree_heads.head_document(head), f"tree-head-{head.tree_size}.json")


def _json_download(document: dict, filename: str) -> HttpResponse:
    response = HttpResponse(json.dumps(document, indent=2), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@auditor_required
@require_GET
def change_history(request, pk: int):
    """A change's full history: its own ledger entries and the CAB's entries about it."""
    change = get_object_or_404(ChangeRequest, pk=pk)
    return render(request, "audit/change_history.html", {
        "change": change, "entries": selectors.change_history(change), "may_hold": may_hold(request.user),
        "tombstones": Tombstone.objects.filter(change=change).order_by("purged_at", "id")})


def _period(request):
    form = PeriodForm(request.GET)
    return (Period(form.cleaned_data["from"], form.cleaned_data["to"]), None) if form.is_valid() else (
        None, _bad_request(form))


class _Echo:
    def write(self, value):
        return value


def _csv(rows, filename: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse((writer.writerow(row) for row in rows), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@auditor_required
@require_GET
def population_csv(request):
    period, error = _period(request)
    return error or _csv(population_rows(period), f"population-{period.start}-{period.end}.csv")


@auditor_required
@require_GET
def population_xlsx(request):
    period, error = _period(request)
    if error:
        return error
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Population")
    for row in population_rows(period):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="population-{period.start}-{period.end}.xlsx"'
    return response


@auditor_required
@require_GET
def exceptions_csv(request):
    period, error = _period(request)
    return error or _csv(exception_rows(period), f"exceptions-{period.start}-{period.end}.csv")


@auditor_required
@require_GET
def evidence_pack(request, pk: int):
    change = get_object_or_404(ChangeRequest, pk=pk)
    try:
        pack = evidence.build(change, request.user)
    except merkle_store.TreeOutOfStep as problem:
        return HttpResponse(str(problem), status=409, content_type="text/plain")
    response = HttpResponse(pack, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="evidence-{change.reference}.zip"'
    return response
