"""Reads for the calendar pages and API: changes, freezes, window occurrences and conflicts in a time
range, in a fixed number of queries whatever the number of changes."""
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta

from django.db.models import Q
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


def changes_between(start, end, *, service=None, team=None, risk=None, with_services=True):
    """Changes whose planned or actual time falls in [start, end), filtered like the list page."""
    in_range = Q(planned_start__lt=end, planned_end__gt=start) | Q(deployed_at__gte=start, deployed_at__lt=end)
    changes = ChangeRequest.objects.filter(in_range)
    if service is not None:
        changes = changes.filter(Q(services=service) | Q(configuration_items__service=service))
    if team is not None:
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

