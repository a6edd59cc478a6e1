"""The metrics page and its CSV, for administrators, auditors, managers and the heads (others 403).

Both read the same filters (metrics.forms) and the same report (metrics.presenters.build): the CSV holds
the numbers the page shows. A bad filter is a 400 naming the field."""
import csv
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from metrics import presenters
from metrics.forms import MetricsFilterForm
from metrics.rules import REFUSAL, may_read_metrics


def metrics_reader_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not may_read_metrics(request.user):
            raise PermissionDenied(REFUSAL)
        return view(request, *args, **kwargs)

    return login_required(wrapper)


@metrics_reader_required
@require_GET
def page(request):
    """POLICY §9's measures against their targets, with charts and the tables they draw (no JS needed)."""
    form = MetricsFilterForm(request.GET)
    if not form.is_valid():
        return render(request, "metrics/page.html", {"form": form, "report": None}, status=400)
    report = presenters.cached_build(form.cleaned_data["period"], form.scope())
    return render(request, "metrics/page.html", {
        "form": form, "report": report, "charts": presenters.chart_data(report),
        "query": request.GET.urlencode()})


class _Echo:
    def write(self, value):
        return value


@metrics_reader_required
@require_GET
def csv_download(request):
    form = MetricsFilterForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"errors": {name: [str(e) for e in errors] for name, errors in form.errors.items()}},
                            status=400)
    report = presenters.cached_build(form.cleaned_data["period"], form.scope())
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse((writer.writerow(row) for row in presenters.csv_rows(report)),
                                     content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="metrics-{report.period.key}.csv"'
    return response
