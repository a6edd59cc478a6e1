"""Pages of the approvals area: "My approvals" with decisions in place (htmx), and the emergency
paperwork list. Views parse input, call one selector or service, and render."""
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, render
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST

from approvals import delegation, selectors, services
from approvals.choices import DecisionChannel
from approvals.models import ApprovalSlot
from approvals.queue_table import QueueTable
from approvals.services import bulk as bulk_services
from approvals.services import delegation as delegation_services
from changemgmt.errors import Conflict
from changemgmt.web.access import member_required
from changemgmt.web.htmx import is_htmx, redirect_page, unchanged
from changemgmt.web.markup import Spliced


def _resolved(user):
    """The user behind request.user's lazy proxy (member_required has resolved it): each attribute read
    through the proxy costs a few calls, and 500 rows read the user about ten times each."""
    return getattr(user, "_wrapped", user)


# (label, sort key) of My approvals' columns; the keys are approvals.selectors.QUEUE_SORTS'.
QUEUE_COLUMNS = [("Change", "change"), ("Approval", "role"), ("Clock", "due"), ("Decision", None)]


def queue_columns(query, current: str) -> list[dict]:
    """Each header with the link that sorts by it (the reverse when it already does) and its aria-sort."""
    headers = []
    for label, key in QUEUE_COLUMNS:
        if key is None:
            headers.append({"label": label})
            continue
        params = query.copy()
        params.pop("since", None)
        params["sort"] = f"-{key}" if current == key else key
        headers.append({"label": label, "url": f"?{params.urlencode()}", "key": key,
                        "aria_sort": "ascending" if current == key else "descending" if current == f"-{key}" else ""})
    return headers


@member_required
def queue(request):
    """My approvals. It polls itself (`?since=`) and swaps its table when its rows change (live update):
    a poll reads only the ids of the rows shown; the page computes the same version from its rows."""
    sort = request.GET.get("sort") if request.GET.get("sort") in selectors.QUEUE_SORTS else "due"
    user = _resolved(request.user)
    delegators, given = delegation.both_ways(user)
    if is_htmx(request) and "since" in request.GET:
        version = selectors.queue_version(user, sort=sort, delegators=delegators)
        if (same := unchanged(request, version)) is not None:
            return same
    table, spliced = QueueTable(user, delegators), Spliced()  # the parts skip the template engine's copies
    live = spliced.hole()
    with selectors.first_rows_sent(user, delegators, sort=sort) as first:  # the database reads the slots while
        page = render_to_string("approvals/queue.html", {  # the page around them is rendered
            "delegators": delegators, "given": given, "live": live}, request)
    rows = selectors.slots_of(first.rows(), meanwhile=table.begin)  # the rows made while it reads their siblings
    version = selectors.version_of(slot.pk for slot in rows)
    query = request.GET.copy()
    query["since"] = version
    spliced.fill(live, get_template("approvals/_queue_live.html").render({
        "table": table.finish(), "limit": selectors.QUEUE_LIMIT, "columns": queue_columns(request.GET, sort),
        "live_query": query.urlencode(), "version": version, "poll_seconds": settings.LIVE_POLL_SECONDS,
        "can_bulk": table.can_bulk, "spliced": spliced, "request": request, "csrf_token": get_token(request)}))
    return HttpResponse(spliced.encode(page))


@member_required
@require_POST
def bulk_grant(request):
    """Grant the selected approvals with one reason (approvals.services.bulk, shared with the API): each
    slot checked on its own (separation of duties, CAB slots, state), each refusal reported by change and role."""
    slot_ids = [int(value) for value in request.POST.getlist("slots") if value.isdigit()]
    try:
        outcome = bulk_services.grant_selected(actor=request.user, slot_ids=slot_ids,
                                               reason=request.POST.get("reason", ""), channel=DecisionChannel.QUEUE)
    except ValidationError:
        messages.error(request, "Nothing granted: select at least one approval and give the reason "
                                "(one reason is recorded on each).")
        return redirect_page(request, reverse("approvals:queue"))
    for item in outcome.refused:
        messages.error(request, f"{item.label} not granted: {item.reason}")
    granted = [item.label for item in outcome.granted]
    if granted:
        messages.success(request, f"Granted {len(granted)}: {', '.join(granted)}.")
    return redirect_page(request, reverse("approvals:queue"))


def _row(request, slot_id: int, *, error: str = "", status: int = 200):
    """The row of one slot after an htmx decision attempt, swapped in place."""
    table = QueueTable(request.user, delegation.active_delegators(request.user), error=error)
    selectors.queue_slots(ApprovalSlot.objects.filter(pk=slot_id), meanwhile=table.begin)
    # htmx swaps 2xx, 400 and 409 (base.html's config); a 403 refusal is shown inline with 200.
    return render(request, "approvals/_queue_row.html", {"table": table.finish()},
                  status=status if status in (200, 400, 409) else 200)


@member_required
@require_POST
def decide(request, slot_id: int):
    get_object_or_404(ApprovalSlot, pk=slot_id)
    try:
        slot = services.decide(slot_id=slot_id, actor=request.user, verdict=request.POST.get("verdict", ""),
                               reason=request.POST.get("reason", ""), channel=DecisionChannel.QUEUE)
    except ValidationError as error:
        return _refused(request, slot_id, " ".join(error.messages), 400)
    except PermissionDenied as error:
        return _refused(request, slot_id, str(error), 403)
    except Conflict as conflict:
        return _refused(request, slot_id, conflict.message, 409)
    text = f"{slot.get_role_display()} approval on {slot.change.reference} {slot.get_status_display().lower()}."
    if is_htmx(request):
        return _row(request, slot_id)
    messages.success(request, text)
    return redirect_page(request, reverse("approvals:queue"))


def _refused(request, slot_id: int, message: str, status: int):
    if is_htmx(request):
        return _row(request, slot_id, error=message, status=status)
    if status == 403:
        raise PermissionDenied(message)
    messages.error(request, f"Not recorded: {message}")
    return redirect_page(request, reverse("approvals:queue"))


@member_required
@require_POST
def revoke_delegation(request, delegation_id: int):
    """The delegator ends a delegation early, from the list on My approvals."""
    try:
        delegation_services.revoke_delegation(actor=request.user, delegation_id=delegation_id)
    except delegation.Delegation.DoesNotExist as missing:
        raise Http404("No such delegation.") from missing
    except Conflict as conflict:
        messages.error(request, f"Not recorded: {conflict.message}")
        return redirect_page(request, reverse("approvals:queue"))
    messages.success(request, "Delegation revoked: your colleague no longer decides on your behalf.")
    return redirect_page(request, reverse("approvals:queue"))

