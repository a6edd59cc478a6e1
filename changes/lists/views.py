"""The change list's own actions: export the current filter as CSV (streamed), save and delete
filters, and bulk reschedule or cancel. Views parse input, call one service or selector, and answer."""
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from changemgmt.web.access import member_required
from changemgmt.web.htmx import redirect_page
from changes import rules, selectors
from changes.filters import ChangeFilter
from changes.lists import presenters, services
from changes.lists.models import SavedFilter


def _back(request) -> str:
    query = services.clean_query(request.POST.get("query", ""))
    return reverse("changes:list") + (f"?{query}" if query else "")


@member_required
@require_GET
def export_csv(request):
    """Every change the list's filter matches (all pages, in the list's order), as CSV, streamed."""
    filterset = ChangeFilter(request.GET, queryset=selectors.change_rows())
    if not filterset.is_valid():
        errors = "; ".join(f"{name}: {' '.join(errs)}" for name, errs in filterset.errors.items())
        return HttpResponse(f"Bad filter: {errors}\n", status=400, content_type="text/plain; charset=utf-8")
    return StreamingHttpResponse(presenters.csv_lines(filterset.qs), content_type="text/csv; charset=utf-8",
                                 headers={"Content-Disposition": presenters.csv_disposition()})


@member_required
@require_POST
def save_filter(request):
    try:
        saved = services.save_filter(actor=request.user, data={"name": request.POST.get("name", ""),
                                                               "query": request.POST.get("query", "")})
    except ValidationError as error:
        messages.error(request, "Filter not saved: " + "; ".join(error.messages))
        return redirect_page(request, _back(request))
    messages.success(request, f"Saved the filter “{saved.name}”.")
    return redirect_page(request, _back(request))


@member_required
@require_POST
def delete_filter(request, filter_id: int):
    try:
        services.delete_filter(actor=request.user, filter_id=filter_id)
    except SavedFilter.DoesNotExist as missing:
        raise Http404("No such saved filter.") from missing
    messages.success(request, "Saved filter deleted.")
    return redirect_page(request, _back(request))


@member_required
@require_POST
def bulk(request):
    """Reschedule or cancel the selected changes: each through its service, each refusal reported."""
    if not rules.can_write(request.user):
        raise PermissionDenied("Auditors read changes; they do not change them.")
    data = {"action": request.POST.get("action", ""), "changes": request.POST.getlist("changes"),
            "reason": request.POST.get("reason", ""), "planned_start": request.POST.get("planned_start", ""),
            "planned_end": request.POST.get("planned_end", "")}
    try:
        outcome = services.bulk(actor=request.user, data=data)
    except ValidationError as error:
        for name, errors in error.message_dict.items():
            messages.error(request, f"Nothing done — {name.replace('_', ' ')}: {' '.join(errors)}")
        return redirect_page(request, _back(request))
    verb = "Cancelled" if data["action"] == "cancel" else "Rescheduled"
    if outcome.done:
        messages.success(request, f"{verb} {len(outcome.done)}: {', '.join(outcome.done)}.")
    for reference, why in outcome.refused:
        messages.error(request, f"{reference} not {verb.lower()}: {why}")
    return redirect_page(request, _back(request))
