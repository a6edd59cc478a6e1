"""Next openings (the API's "next slots"; "slots" elsewhere means approval slots): the next start
times at which a change of this duration, risk and services would pass every schedule rule — inside
a window for its risk, outside every freeze (hard or soft), after its lead time — and overlap no
other scheduled change on the same services.

Everything the search needs is loaded up front (windows, freezes in the horizon, the busy intervals of
the services), in a fixed number of queries, and the candidates are checked in memory.
"""
from bisect import bisect_left
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.utils import timezone

from changemgmt import policy
from changes.calendar import conflicts, schedule
from changes.choices import ChangeType

DEFAULT_DURATION = timedelta(hours=1)


@dataclass(frozen=True)
class Opening:
    """A free interval a change could be deployed in."""

    start: datetime
    end: datetime


def _merged(intervals: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    merged: list[list[datetime]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(a, b) for a, b in merged]


def _hits(intervals: list[tuple[datetime, datetime]], starts: list[datetime], start: datetime, end: datetime) -> bool:
    """Whether [start, end) overlaps one of the sorted, disjoint `intervals` (their starts in `starts`)."""
    index = bisect_left(starts, end)  # intervals beginning before `end`
    return index > 0 and intervals[index - 1][1] > start


def _candidates(*, change_type, risk, horizon_start, horizon_end, step, duration, windows):
    """Start times on the step grid: inside each window for the risk, or any time for an emergency."""
    if change_type == ChangeType.EMERGENCY:
        moment = horizon_start
        while moment + duration <= horizon_end:
            yield moment
            moment += step
        return
    day = timezone.localtime(horizon_start).date()
    last_day = timezone.localtime(horizon_end).date()
    while day <= last_day:
        for window_start, window_end in schedule.windows_on(day, risk, windows):
            moment, closes = window_start.astimezone(UTC), window_end.astimezone(UTC)
            while moment + duration <= closes:
                yield moment
                moment += step
        day += timedelta(days=1)


def next_openings(*, change, count: int | None = None, duration: timedelta | None = None, now: datetime | None = None,
               horizon_days: int | None = None) -> list[Opening]:
    """Up to `count` openings for `change` (its current risk, type, services and planned duration)."""
    search = policy.get("slot_search")
    count = count or search["default_count"]
    now = now or timezone.now()
    horizon_end = now + timedelta(days=horizon_days or search["horizon_days"])
    step = timedelta(minutes=search["step_minutes"])
    if duration is None:
        has_plan = change.planned_start and change.planned_end
        duration = change.planned_end - change.planned_start if has_plan else DEFAULT_DURATION
    risk = change.risk_level or "low"
    lead = timedelta(hours=policy.get("lead_time_hours")[change.change_type][risk])
    earliest = max(now, (change.submitted_at or now) + lead)
    service_ids = schedule.effective_service_ids(change)

    windows = schedule.load_windows()
    freezes = [] if change.change_type == ChangeType.EMERGENCY else _merged(
        [(p.starts_at, p.ends_at) for p in schedule.freezes_between(now, horizon_end, service_ids)])
    busy = _merged([(start, end) for _id, start, end in conflicts.overlapping(
        start=now, end=horizon_end, service_ids=service_ids, exclude_id=change.pk)])
    freeze_starts, busy_starts = [a for a, _ in freezes], [a for a, _ in busy]

    found = []
    for start in _candidates(change_type=change.change_type, risk=risk, horizon_start=earliest,
                             horizon_end=horizon_end, step=step, duration=duration, windows=windows):
        if start < earliest:
            continue
        end = start + duration
        if _hits(freezes, freeze_starts, start, end) or _hits(busy, busy_starts, start, end):
            continue
        found.append(Opening(start, end))
        if len(found) >= count:
            break
    return found
