"""Reads for the calendar pages and API: changes, freezes, window occurrences and conflicts in a time
range, in a fixed number of queries whatever the number of changes."""
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta

from django.db.models import Count, Exists, F, OuterRef, Q, Window
from django.db.models.functions import RowNumber, TruncDate
from django.utils import timezone

from changes.calendar import conflicts, schedule
from changes.calendar.models import ChangeConflict
from changes.models import ChangeRequest


@dataclass(frozen=True)
class Occurrence:
    start: datetime
    end: datetime
    risks: tuple[str, ...]


@dataclass
class CalendarData:
    start: datetime
    end: datetime
    changes: list[ChangeRequest]  # each with .conflict_ids (set of other change ids)
    freezes: list[schedule.FreezePeriod]
    windows: list[tuple[datetime, datetime, tuple[str, ...]]]

    @property
    def occurrences(self) -> list[Occurrence]:
        """The window occurrences as rows (the API's `windows`)."""
        return [Occurrence(start, end, risks) for start, end, risks in self.windows]


# What a calendar entry shows; loading only these keeps a busy month cheap to build.
ENTRY_FIELDS = ("id", "title", "state", "change_type", "risk_level", "planned_start", "planned_end", "deployed_at",
                "verified_at", "closed_at", "owner_id", "team_id", "requester_id")


def _filtered(changes, *, service=None, team=None, risk=None):
    """The calendar's filters, like the list page's: a service named by the change or by one of its
    configuration items (EXISTS, so a change is never repeated), a team, a risk level."""
    if service is not None:
        service_id = getattr(service, "pk", service)
        changes = changes.filter(
            Exists(ChangeRequest.services.through.objects.filter(changerequest_id=OuterRef("pk"),
                                                                 service_id=service_id))
            | Exists(ChangeRequest.configuration_items.through.objects.filter(
                changerequest_id=OuterRef("pk"), configurationitem__service_id=service_id)))
    if team is not None:
        changes = changes.filter(team=team)
    if risk:
        changes = changes.filter(risk_level=risk)
    return changes


def changes_between(start, end, *, service=None, team=None, risk=None, with_services=True):
    """Changes whose planned or actual time falls in [start, end), filtered like the list page."""
    in_range = Q(planned_start__lt=end, planned_end__gt=start) | Q(deployed_at__gte=start, deployed_at__lt=end)
    changes = _filtered(ChangeRequest.objects.filter(in_range), service=service, team=team, risk=risk)
    changes = changes.only(*ENTRY_FIELDS).order_by("planned_start", "id")
    return changes.prefetch_related("services") if with_services else changes


@dataclass
class DayEntries:
    """What a month cell lists: its first entries by start time, and how many it has in all."""

    entries: list[dict]
    count: int


def _first_per_day(changes, moment: str, per_day: int) -> list[dict]:
    """The first `per_day` changes of each local day by `moment` (then id), with the day's count: a window
    function in SQL, so a busy month reads a few hundred narrow rows, not every change of the grid.
    TruncDate takes the calendar's time zone on every database (AT TIME ZONE on PostgreSQL)."""
    day = TruncDate(moment, tzinfo=timezone.get_current_timezone())
    return list(changes.annotate(
        day=day, start=F(moment),
        rank=Window(RowNumber(), partition_by=[day], order_by=[F(moment).asc(), F("id").asc()]),
        day_count=Window(Count("id"), partition_by=[day]),
    ).filter(rank__lte=per_day).order_by().values("id", "title", "risk_level", "day", "start", "day_count"))


def month_entries(start, end, *, per_day: int, service=None, team=None, risk=None) -> dict[date, DayEntries]:
    """The month grid's entries per local day in [start, end), in three queries whatever the number of
    changes: each change's planned start, and its actual one once deployed (the entries `calendar_data`
    gives the other views), the first `per_day` of each day by start time (a change's planned entry
    before its actual one at the same instant), each day's count, and whether the change conflicts.
    Rows (id, title, risk_level, start, actual, conflict), not model objects: a cell shows a few fields."""
    in_range = Q(planned_end__gt=start) | Q(deployed_at__gte=start, deployed_at__lt=end)
    planned = _filtered(ChangeRequest.objects.filter(in_range, planned_start__gte=start, planned_start__lt=end),
                        service=service, team=team, risk=risk)
    deployed = _filtered(ChangeRequest.objects.filter(deployed_at__gte=start, deployed_at__lt=end),
                         service=service, team=team, risk=risk)
    rows = [{**row, "actual": False} for row in _first_per_day(planned, "planned_start", per_day)]
    rows += [{**row, "actual": True} for row in _first_per_day(deployed, "deployed_at", per_day)]
    # The conflicts touching the range, as pairs of ids (as `calendar_data` reads them): a list of the
    # shown ids as parameters would cost more to bind than these few rows cost to read.
    marked = set()
    for pair in ChangeConflict.objects.filter(overlap_start__lt=end, overlap_end__gt=start).order_by().values_list(
            "change_id", "other_id"):
        marked.update(pair)
    days: dict[date, DayEntries] = {}
    for row in sorted(rows, key=lambda r: (r["start"], r["id"], r["actual"])):
        cell = days.setdefault(row.pop("day"), DayEntries([], 0))
        cell.entries.append(row)
        row["conflict"] = row["id"] in marked
    for cell in days.values():
        # day_count is the same on every row of a (day, planned or actual) partition: add each once.
        cell.count = sum({row["actual"]: row.pop("day_count") for row in cell.entries}.values())
        del cell.entries[per_day:]
    return days


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


def _mark_conflicts(changes: list[ChangeRequest], start, end) -> None:
    """Set each change's .conflict_ids from the conflicts touching the range: one query, whatever the
    number of changes."""
    by_change: dict[int, set[int]] = {c.pk: set() for c in changes}
    for first, second in ChangeConflict.objects.filter(overlap_start__lt=end, overlap_end__gt=start).values_list(
            "change_id", "other_id"):
        if first in by_change:
            by_change[first].add(second)
        if second in by_change:
            by_change[second].add(first)
    for change in changes:
        change.conflict_ids = by_change[change.pk]


def calendar_data(start, end, *, service=None, team=None, risk=None, with_services=True,
                  with_changes=True) -> CalendarData:
    """Changes with their conflicts (unless `with_changes` is False: the month reads `month_entries`),
    freezes and window occurrences in [start, end)."""
    changes = []
    if with_changes:
        changes = list(changes_between(start, end, service=service, team=team, risk=risk,
                                       with_services=with_services))
        _mark_conflicts(changes, start, end)
    service_ids = [int(getattr(service, "pk", service))] if service is not None else None
    return CalendarData(start=start, end=end, changes=changes,
                        freezes=schedule.freezes_between(start, end, service_ids),
                        windows=window_occurrences(start, end, schedule.load_windows()))


# What the calendar API answers with, as rows its serializers render (changes.calendar.api.serializers).
@dataclass(frozen=True)
class LiftedPeriod(schedule.FreezePeriod):
    """A freeze just lifted: its period, who lifted it and why, and the changes whose owners are told."""

    lifted_by: int | None = None
    lift_reason: str = ""
    told: tuple = ()


def lifted_period(lifted) -> LiftedPeriod:
    """What `services.lift_freeze` returned, as the API shows it."""
    period = schedule.freeze_period(lifted.freeze)
    return LiftedPeriod(**{f.name: getattr(period, f.name) for f in fields(period)},
                        lifted_by=lifted.freeze.lifted_by_id, lift_reason=lifted.freeze.lift_reason,
                        told=tuple(lifted.told))


@dataclass(frozen=True)
class ConflictRow:
    """A stored conflict seen from one change: `other` is the change on the other side."""

    id: int
    other: ChangeRequest
    shared: dict
    overlap_start: datetime
    overlap_end: datetime
    detected_at: datetime


def conflict_rows(change_id: int) -> list[ConflictRow]:
    return [ConflictRow(id=row.pk, other=row.other if row.change_id == change_id else row.change, shared=row.shared,
                        overlap_start=row.overlap_start, overlap_end=row.overlap_end, detected_at=row.detected_at)
            for row in conflicts.conflicts_of(change_id)]

