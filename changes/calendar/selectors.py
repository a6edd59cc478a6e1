"""Reads for the calendar pages and API: changes, freezes, window occurrences and conflicts in a time
range, in a fixed number of queries whatever the number of changes."""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from changes.calendar import schedule
from changes.calendar.models import ChangeConflict
from changes.models import ChangeRequest


@dataclass
class CalendarData:
    start: datetime
    end: datetime
    changes: list[ChangeRequest]  # each with .conflict_ids (set of other change ids)
    freezes: list[schedule.FreezePeriod]
    windows: list[tuple[datetime, datetime, tuple[str, ...]]]


# What a calendar entry shows; loading only these keeps a busy month cheap to build.
ENTRY_FIELDS = ("id", "title", "state", "change_type", "risk_level", "planned_start", "planned_end", "deployed_at",
                "verified_at", "closed_at", "owner_id", "team_id", "requester_id")


def changes_between(start, end, *, service=None, team=None, risk=None, with_services=True):
    """Changes whose planned or actual time falls in [start, end), filtered like the list page."""
    in_range = Q(planned_start__lt=end, planned_end__gt=start) | Q(deployed_at__gte=start, deployed_at__lt=end)
    changes = ChangeRequest.objects.filter(in_range)
    if service:
        changes = changes.filter(Q(services=service) | Q(configuration_items__service=service))
    if team:
        changes = changes.filter(team=team)
    if risk:
        changes = changes.filter(risk_level=risk)
    changes = changes.only(*ENTRY_FIELDS).distinct().order_by("planned_start", "id")
    return changes.prefetch_related("services") if with_services else changes


def window_occurrences(start: datetime, end: datetime, windows) -> list[tuple[datetime, datetime, tuple[str, ...]]]:
    found = []
    day: date = timezone.localtime(start).date()
    while day <= timezone.localtime(end).date():
        tz = timezone.get_current_timezone()
        for w in windows:
            if w.weekday == day.weekday():
                found.append((datetime.combine(day, w.starts).replace(tzinfo=tz),
                              datetime.combine(day, w.ends).replace(tzinfo=tz), w.risks))
        day += timedelta(days=1)
    return found


def calendar_data(start, end, *, service=None, team=None, risk=None, with_services=True) -> CalendarData:
    changes = list(changes_between(start, end, service=service, team=team, risk=risk, with_services=with_services))
    ids = [c.pk for c in changes]
    by_change: dict[int, set[int]] = {pk: set() for pk in ids}
    # Conflicts touching the range: one query, whatever the number of changes.
    for first, second in ChangeConflict.objects.filter(overlap_start__lt=end, overlap_end__gt=start).values_list(
            "change_id", "other_id"):
        if first in by_change:
            by_change[first].add(second)
        if second in by_change:
            by_change[second].add(first)
    for change in changes:
        change.conflict_ids = by_change[change.pk]
    service_ids = [int(getattr(service, "pk", service))] if service else None
    return CalendarData(start=start, end=end, changes=changes,
                        freezes=schedule.freezes_between(start, end, service_ids),
                        windows=window_occurrences(start, end, schedule.load_windows()))
