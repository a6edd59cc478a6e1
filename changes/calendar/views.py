"""Calendar pages (server-rendered month, list, and week and day time grids, with the freezes' lift
buttons and a reschedule form per change), the
feed-subscription page, and the iCalendar feeds. Views parse input, read through
changes.calendar.selectors, call one service."""
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from changemgmt.api.input import RANGE_MESSAGE, in_range
from changemgmt.errors import Conflict
from changemgmt.models import Team
from changemgmt.web.htmx import redirect_page
from changes import rules as change_rules
from changes.calendar import feeds, openings, presenters, rules, services
from changes.calendar.forms import CalendarFilterForm
from changes.calendar.models import Freeze
from changes.calendar.selectors import calendar_data, month_entries
from changes.choices import RISK_COLOURS, RiskLevel
from changes.forms import RescheduleForm
from changes.models import REFERENCE_PREFIX, ChangeRequest, Service

VIEWS = ("month", "week", "day", "list")
GRIDS = ("week", "day")
PLACEHOLDER = "2147483647"
# A month cell shows this many changes and links the rest to the list view of that day; the list view
# shows at most LIST_LIMIT rows. A busy month stays readable and renders in bounded time.
MONTH_PER_DAY = 6
LIST_LIMIT = 500


@dataclass
class Day:
    day: date
    in_period: bool
    entries: list = field(default_factory=list)  # the month's: each entry's link, as markup
    freezes: list[str] = field(default_factory=list)
    freeze_kind: str = ""
    window_risks: list[str] = field(default_factory=list)
    hidden: int = 0


def _local(day: date) -> datetime:
    return datetime.combine(day, time(0)).replace(tzinfo=timezone.get_current_timezone())


def _period(view: str, anchor: date) -> tuple[date, date, date, date]:
    """(grid start, grid end exclusive, period start, period end exclusive) for the view."""
    if view == "month":
        first = anchor.replace(day=1)
        after = (first + timedelta(days=32)).replace(day=1)
        grid_start = first - timedelta(days=first.weekday())
        grid_end = after + timedelta(days=(7 - after.weekday()) % 7)
        return grid_start, grid_end, first, after
    if view == "week":
        monday = anchor - timedelta(days=anchor.weekday())
        return monday, monday + timedelta(days=7), monday, monday + timedelta(days=7)
    if view == "day":
        return anchor, anchor + timedelta(days=1), anchor, anchor + timedelta(days=1)
    return anchor, anchor + timedelta(days=30), anchor, anchor + timedelta(days=30)


def _entries(data) -> list[dict]:
    """The calendar's entries: each change's planned slot and, once deployed, its actual one."""
    entries = []
    # Reversed once with a placeholder id, then filled per change: a busy month has hundreds.
    detail_url = reverse("changes:detail", args=[PLACEHOLDER])
    for change in data.changes:
        base = {"change": change, "url": detail_url.replace(PLACEHOLDER, str(change.pk)),
                "conflict": bool(change.conflict_ids),
                "risk_colour": RISK_COLOURS.get(change.risk_level, "grey")}
        if change.planned_start:
            entries.append({**base, "kind": "planned", "actual": False,
                            "start": timezone.localtime(change.planned_start),
                            "end": timezone.localtime(change.planned_end)})
        if change.deployed_at:
            actual_end = change.verified_at or change.closed_at or change.deployed_at
            entries.append({**base, "kind": "actual", "actual": True, "start": timezone.localtime(change.deployed_at),
                            "end": timezone.localtime(actual_end)})
    return sorted(entries, key=lambda e: (e["start"], e["change"].pk))


def _days(grid_start: date, grid_end: date, period_start: date, period_end: date, data) -> list[Day]:
    """A cell per day of the grid with the freezes and windows on it (the month fills in its entries)."""
    days = {}
    day = grid_start
    while day < grid_end:
        days[day] = Day(day, period_start <= day < period_end)
        day += timedelta(days=1)
    for period in data.freezes:
        day = max(timezone.localtime(period.starts_at).date(), grid_start)
        while day < grid_end and _local(day) < period.ends_at:
            days[day].freezes.append(period.name)
            if period.kind == "hard" or not days[day].freeze_kind:
                days[day].freeze_kind = period.kind
            day += timedelta(days=1)
    for start, _end, risks in data.windows:
        if start.date() in days:
            days[start.date()].window_risks = sorted(set(days[start.date()].window_risks) | set(risks))
    return list(days.values())


def _fill_month(days: list[Day], found: dict) -> None:
    """Each cell's first MONTH_PER_DAY entries (rows from selectors.month_entries, as their links'
    markup) and how many more it has."""
    detail_url = reverse("changes:detail", args=[PLACEHOLDER])
    for cell in days:
        if cell.day not in found:
            continue
        cell.entries = [presenters.month_entry(row, detail_url.replace(PLACEHOLDER, str(row["id"])),
                                               f"{REFERENCE_PREFIX}{row['id']:06d}",  # ChangeRequest.reference
                                               RISK_COLOURS.get(row["risk_level"], "grey"))
                        for row in found[cell.day].entries]
        cell.hidden = found[cell.day].count - len(cell.entries)


@login_required
@require_GET
def calendar_page(request):
    if not rules.can_view_calendar(request.user):
        raise PermissionDenied("You need a changemgmt role to see the calendar.")
    view = request.GET.get("view") if request.GET.get("view") in VIEWS else "month"
    try:
        anchor = date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        anchor = timezone.localdate()
    if not in_range(anchor):  # year 9999: the month after it does not exist
        return HttpResponseBadRequest(RANGE_MESSAGE, content_type="text/plain; charset=utf-8")
    chosen = CalendarFilterForm(request.GET).filters()
    service = Service.objects.filter(pk=chosen["service"]).first() if chosen["service"] is not None else None
    team = Team.objects.filter(pk=chosen["team"]).first() if chosen["team"] is not None else None
    risk = chosen["risk"]
    grid_start, grid_end, period_start, period_end = _period(view, anchor)
    start, end = _local(grid_start), _local(grid_end)
    # The month reads its entries per day in SQL (selectors.month_entries), not every change of the grid.
    data = calendar_data(start, end, service=service, team=team, risk=risk, with_services=view == "list",
                         with_changes=view != "month")
    days = _days(grid_start, grid_end, period_start, period_end, data)
    if view == "month":
        _fill_month(days, month_entries(start, end, per_day=MONTH_PER_DAY, service=service, team=team, risk=risk))
    entries = _entries(data) if view != "month" else []
    columns, hours = presenters.time_grid([d.day for d in days], entries, data, request.user) if view in GRIDS \
        else ([], [])
    step = {"month": 31, "week": 7, "day": 1, "list": 30}[view]
    return render(request, "calendar/calendar.html", {
        "view": view, "is_list": view == "list", "is_grid": view in GRIDS, "views": VIEWS, "anchor": anchor,
        "days": days, "columns": columns, "hours": hours,
        "today": timezone.localdate(),
        "weeks": [days[i:i + 7] for i in range(0, len(days), 7)],
        "entries": entries[:LIST_LIMIT] if view == "list" else [],
        "hidden_entries": max(0, len(entries) - LIST_LIMIT) if view == "list" else 0,
        "freezes": data.freezes,
        "previous": (period_start - timedelta(days=1)).replace(day=1) if view == "month"
        else period_start - timedelta(days=step),
        "next": period_end, "service_options": presenters.service_options(service.pk if service else None),
        "teams": Team.objects.only("pk", "name"),
        "risks": RiskLevel.choices, "selected": {"service": service, "team": team, "risk": risk},
        "may_lift": rules.can_lift_freeze(request.user),
    })


def _local_input(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M") if moment else ""


@login_required
@require_GET
def reschedule_form(request, pk: int):
    """The calendar's click to reschedule: the change's plan (or an opening picked from the next ones)
    in a form that posts to the change's reschedule path, whose service runs every check again and
    writes nothing on a refusal. Someone who may not reschedule this change: 403."""
    change = ChangeRequest.objects.filter(pk=pk).first()
    if change is None:
        raise Http404("No such change.")
    if not change_rules.can_reschedule(request.user, change):
        raise PermissionDenied("Only the author, owner, operations or an administrator may reschedule this change, "
                               "and only before it is deployed.")
    form = RescheduleForm(initial={"planned_start": _local_input(change.planned_start),
                                   "planned_end": _local_input(change.planned_end)})
    picked = RescheduleForm(request.GET)  # an opening's link carries its start and end
    picked.is_valid()
    if "planned_start" in picked.cleaned_data and "planned_end" in picked.cleaned_data:
        form = RescheduleForm(initial={"planned_start": _local_input(picked.cleaned_data["planned_start"]),
                                       "planned_end": _local_input(picked.cleaned_data["planned_end"])})
    found = openings.next_openings(change=change)
    back = reverse("calendar:index") + f"?view=week&date={timezone.localdate(change.planned_start):%Y-%m-%d}" \
        if change.planned_start else reverse("calendar:index") + "?view=week"
    return render(request, "calendar/reschedule.html", {
        "change": change, "form": form, "back": back,
        "openings": [{"start": _local_input(o.start), "end": _local_input(o.end),
                      "label": f"{timezone.localtime(o.start):%a %d %b %H:%M} – {timezone.localtime(o.end):%H:%M}"}
                     for o in found],
    })


@login_required
@require_POST
def lift_freeze(request, pk: int):
    """The calendar's lift button: lift the freeze for the reason typed, back to the calendar with what
    happened. Not allowed: 403; no reason, or already lifted or over: an error message, nothing written."""
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("calendar:index")
    try:
        lifted = services.lift_freeze(actor=request.user, freeze_id=pk, reason=request.POST.get("reason", ""))
    except Freeze.DoesNotExist as exc:
        raise Http404("No such freeze.") from exc
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
        return redirect_page(request, next_url)
    except Conflict as conflict:
        messages.error(request, conflict.message)
        return redirect_page(request, next_url)
    messages.success(request, f"Freeze “{lifted.freeze.name}” lifted; {len(lifted.told)} change owner(s) told.")
    return redirect_page(request, next_url)


@login_required
@require_http_methods(["GET", "POST"])
def feed_settings(request):
    """Where a user gets (once), replaces or revokes their secret calendar URL."""
    if not rules.can_view_calendar(request.user):
        raise PermissionDenied("You need a changemgmt role to subscribe to the calendar.")
    secret = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.revoke_feed_token(actor=request.user)
        else:
            _token, secret = services.issue_feed_token(actor=request.user)
    active = request.user.calendar_feed_tokens.filter(revoked_at__isnull=True).first()
    return render(request, "calendar/feed.html", {
        "secret": secret, "active": active,
        "feed_url": request.build_absolute_uri(f"/calendar/feeds/{secret}.ics") if secret else "",
        "services": Service.objects.only("pk", "name"),
    })


def _ics(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, max-age=300"
    return response


@require_GET
def user_feed(request, secret: str):
    """The whole calendar for the owner of `secret`. Any bad secret is a plain 404."""
    if feeds.user_for_secret(secret) is None:
        raise Http404()
    return _ics(feeds.feed(), "changes.ics")


@require_GET
def service_feed(request, secret: str, service_id: int):
    if feeds.user_for_secret(secret) is None:
        raise Http404()
    service = Service.objects.filter(pk=service_id).first()
    if service is None:
        raise Http404()
    return _ics(feeds.feed(service=service), f"service-{service.pk}.ics")
