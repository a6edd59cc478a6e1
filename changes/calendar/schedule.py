"""Schedule rules [POLICY §6]: deployment windows by weekday and risk, freezes, lead time.

Everything is reasoned about in the organisation's time zone (settings.TIME_ZONE) and stored in UTC.
Windows are DeploymentWindow rows; freezes are Freeze rows (ad hoc, announced) plus the recurring
ones computed from policy "freeze_rules" (end of month, end of quarter, public holidays), so a rule
edit applies at once to every date without materialising rows.
"""
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

import holidays as holiday_calendars
from django.db import DEFAULT_DB_ALIAS as DEFAULT
from django.db.models import F
from django.utils import timezone

from changemgmt import policy
from changemgmt.compiled import CompiledQuery
from changemgmt.errors import Missing
from changes.calendar.choices import WEEKDAY_NAMES, FreezeKind
from changes.calendar.models import ConfigurationItem, DeploymentWindow, Freeze
from changes.choices import ChangeType

REF_WINDOWS = "POLICY §6 [002 §9.1-9.2][004 §4.5]"
REF_FREEZES = "POLICY §6 freezes"
REF_LEAD = "POLICY §1 [002][004]"


@dataclass(frozen=True)
class Window:
    weekday: int
    starts: time
    ends: time
    risks: tuple[str, ...]


@dataclass(frozen=True)
class FreezePeriod:
    """A freeze as the rules see it, whether a Freeze row (`pk` set) or a recurring one."""

    name: str
    reason: str
    kind: str
    starts_at: datetime
    ends_at: datetime
    service_ids: frozenset | None  # None: every service
    source: str  # "announced", "end_of_month", "end_of_quarter", "public_holiday"
    pk: int | None = None
    lifted_at: datetime | None = None  # an announced freeze lifted early ends here (`ends_at` is then this)

    def covers(self, service_ids) -> bool:
        return self.service_ids is None or bool(self.service_ids & set(service_ids))


# The schedule's reads run on every gate check (each open change's page, each step, each pipeline ask);
# their SQL does not depend on the change, so it is built once per process (changemgmt.compiled).
_WINDOWS = CompiledQuery(lambda _none: DeploymentWindow.objects.values_list("weekday", "starts", "ends", "risks"))
_ITEM_SERVICES = CompiledQuery(lambda pk: ConfigurationItem.objects.filter(changes=pk).order_by()
                               .values_list("service_id"))


def load_windows() -> list[Window]:
    return [Window(weekday, starts, ends, tuple(risks)) for weekday, starts, ends, risks in _WINDOWS.rows(None)]


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0)).replace(tzinfo=timezone.get_current_timezone())


def windows_on(day: date, risk: str, windows: list[Window]) -> list[tuple[datetime, datetime]]:
    """The windows open to `risk` on local calendar day `day`, as aware datetimes (DST-correct)."""
    tz = timezone.get_current_timezone()
    return [(datetime.combine(day, w.starts).replace(tzinfo=tz), datetime.combine(day, w.ends).replace(tzinfo=tz))
            for w in windows if w.weekday == day.weekday() and risk in w.risks]


def describe_windows(risk: str, windows: list[Window]) -> str:
    allowed = [f"{WEEKDAY_NAMES[w.weekday][:3]} {w.starts:%H:%M}-{w.ends:%H:%M}" for w in windows if risk in w.risks]
    return ", ".join(allowed) or "emergency changes only"


def window_violations(*, change_type: str, risk: str, start: datetime, end: datetime,
                      windows: list[Window] | None = None) -> list[Missing]:
    if change_type == ChangeType.EMERGENCY:
        return []
    windows = load_windows() if windows is None else windows
    local_start, local_end = timezone.localtime(start), timezone.localtime(end)
    for window_start, window_end in windows_on(local_start.date(), risk, windows):
        if window_start <= local_start and local_end <= window_end:
            return []
    return [Missing(
        "outside_window",
        f"{local_start:%a %Y-%m-%d %H:%M}-{local_end:%H:%M} is outside every deployment window for {risk} risk "
        f"(allowed: {describe_windows(risk, windows)}).",
        REF_WINDOWS,
    )]


def _month_end_periods(first: date, last: date, rule: dict, name: str, months: set[int]) -> list[FreezePeriod]:
    """The last `days` days of each month in `months` whose freeze touches [first, last]."""
    periods = []
    year, month = first.year, first.month
    while date(year, month, 1) <= last:
        next_first = date(year + (month == 12), month % 12 + 1, 1)
        if month in months and rule["days"] > 0:
            begin = next_first - timedelta(days=int(rule["days"]))
            periods.append(FreezePeriod(
                name=f"{name} {date(year, month, 1):%B %Y}",
                reason=f"Recurring {name.lower()} freeze (policy freeze_rules).",
                kind=rule["kind"], starts_at=_local_midnight(begin), ends_at=_local_midnight(next_first),
                service_ids=None, source=name.lower().replace(" ", "_")))
        year, month = next_first.year, next_first.month
    return periods


@lru_cache(maxsize=32)
def _holidays(country: str, subdivision: str, years: tuple[int, ...]) -> tuple[tuple[date, str], ...]:
    """Holiday tables are computed once per country and years (the slot search asks often)."""
    calendar = holiday_calendars.country_holidays(country, subdiv=subdivision or None, years=years)
    return tuple(sorted(calendar.items()))


def _holiday_periods(first: date, last: date, rule: dict) -> list[FreezePeriod]:
    calendar = _holidays(rule["country"], rule.get("subdivision") or "", tuple(range(first.year, last.year + 1)))
    return [FreezePeriod(name=f"Public holiday: {label}", reason=f"Public holiday ({rule['country']}).",
                         kind=rule["kind"], starts_at=_local_midnight(day),
                         ends_at=_local_midnight(day + timedelta(days=1)), service_ids=None, source="public_holiday")
            for day, label in calendar if first <= day <= last]


def recurring_freezes(start: datetime, end: datetime) -> list[FreezePeriod]:
    """Recurring freezes overlapping [start, end), from policy "freeze_rules"."""
    rules = policy.get("freeze_rules")
    first = timezone.localtime(start).date() - timedelta(days=1)
    last = timezone.localtime(end).date() + timedelta(days=1)
    periods = []
    if rules["end_of_month"]["enabled"]:
        periods += _month_end_periods(first, last, rules["end_of_month"], "End of month", set(range(1, 13)))
    if rules["end_of_quarter"]["enabled"]:
        periods += _month_end_periods(first, last, rules["end_of_quarter"], "End of quarter", {3, 6, 9, 12})
    if rules["public_holidays"]["enabled"]:
        periods += _holiday_periods(first, last, rules["public_holidays"])
    return [p for p in periods if p.starts_at < end and p.ends_at > start]


def freeze_period(freeze: Freeze) -> FreezePeriod:
    """A Freeze row as the rules see it (its services prefetched): a lifted one ends when it was lifted."""
    ends_at = min(freeze.ends_at, freeze.lifted_at) if freeze.lifted_at else freeze.ends_at
    return FreezePeriod(name=freeze.name, reason=freeze.reason, kind=freeze.kind, starts_at=freeze.starts_at,
                        ends_at=ends_at, service_ids=frozenset(s.pk for s in freeze.services.all()) or None,
                        source="announced", pk=freeze.pk, lifted_at=freeze.lifted_at)


def announced_freezes(start: datetime, end: datetime) -> list[FreezePeriod]:
    """Freeze rows in force at some time in [start, end), with their scope, in two queries. A freeze
    lifted before it started, or before `start`, is left out."""
    rows = (Freeze.objects.filter(starts_at__lt=end, ends_at__gt=start)
            .exclude(lifted_at__lte=F("starts_at")).exclude(lifted_at__lte=start).prefetch_related("services"))
    return [freeze_period(f) for f in rows]


def freezes_between(start: datetime, end: datetime, service_ids=None) -> list[FreezePeriod]:
    """Every freeze overlapping [start, end); with `service_ids`, only those covering one of them."""
    periods = announced_freezes(start, end) + recurring_freezes(start, end)
    if service_ids is not None:
        periods = [p for p in periods if p.covers(service_ids)]
    return sorted(periods, key=lambda p: (p.starts_at, p.name))


def _freeze_missing(period: FreezePeriod, justification: str) -> Missing | None:
    when = (f"{timezone.localtime(period.starts_at):%Y-%m-%d %H:%M} to "
            f"{timezone.localtime(period.ends_at):%Y-%m-%d %H:%M}")
    if period.kind == FreezeKind.HARD:
        return Missing("hard_freeze", f"Hard freeze “{period.name}” ({when}) allows emergency changes only.",
                       REF_FREEZES)
    if not justification.strip():
        return Missing("soft_freeze_justification", f"Soft freeze “{period.name}” ({when}) requires a written "
                       "justification.", REF_FREEZES)
    return None


def freeze_violations(*, change_type: str, start: datetime, end: datetime, service_ids,
                      justification: str = "", periods: list[FreezePeriod] | None = None) -> list[Missing]:
    """One item per freeze the period hits: hard freezes refuse, soft ones need a justification."""
    if change_type == ChangeType.EMERGENCY:
        return []
    service_ids = list(service_ids)
    if periods is None:
        periods = freezes_between(start, end, service_ids)
    missing = []
    for period in periods:
        if period.starts_at < end and period.ends_at > start and period.covers(service_ids):
            item = _freeze_missing(period, justification or "")
            if item:
                missing.append(item)
    return missing


def earliest_start(hours: int, from_time: datetime) -> datetime:
    """The earliest planned start a lead time of `hours` allows. POLICY §1 writes "24 h" and "7 days";
    the policy key stores hours, so a lead time of whole days beyond one day (168 = 7 days) counts
    calendar days in the organisation's time zone (the same local wall-clock time N days later: across
    the March change 7 days are 167 hours), and anything else, 24 h included, counts elapsed hours."""
    if hours > 24 and hours % 24 == 0:
        # Aware arithmetic in one zone is wall-clock arithmetic; zoneinfo recomputes the offset.
        return (timezone.localtime(from_time) + timedelta(days=hours // 24)).astimezone(UTC)
    return from_time.astimezone(UTC) + timedelta(hours=hours)  # elapsed hours: in UTC, not on the wall clock


def describe_lead(hours: int) -> str:
    return f"{hours // 24} days" if hours > 24 and hours % 24 == 0 else f"{hours} h"


def lead_time_violations(*, change_type: str, risk: str, planned_start: datetime, from_time: datetime
                         ) -> list[Missing]:
    hours = policy.get("lead_time_hours")[change_type][risk]
    earliest = earliest_start(hours, from_time)
    if planned_start.astimezone(UTC) < earliest:
        return [Missing("lead_time", f"A {change_type} {risk}-risk change needs {describe_lead(hours)} lead time: "
                        f"plan the start at {timezone.localtime(earliest):%Y-%m-%d %H:%M} or later.", REF_LEAD)]
    return []


def effective_service_ids(change) -> set[int]:
    """The services a change touches: those it names and those of the configuration items it names
    (their services read in one query, unless the caller prefetched the items)."""
    if "configuration_items" in getattr(change, "_prefetched_objects_cache", {}):
        item_services = {ci.service_id for ci in change.configuration_items.all()}
    else:
        item_services = {service_id for (service_id,) in _ITEM_SERVICES.rows(change.pk, change._state.db or DEFAULT)}
    return {s.pk for s in change.services.all()} | item_services


def deploy_tolerance() -> timedelta:
    return timedelta(minutes=policy.get("deploy_schedule_tolerance_minutes"))


def deployable_period(change) -> tuple[datetime, datetime]:
    """When the approved schedule lets the change deploy: its planned period widened by the policy
    tolerance on each side (the deploy gate holds a deployment to it)."""
    tolerance = deploy_tolerance()
    return change.planned_start - tolerance, change.planned_end + tolerance


def soft_freezes_hit(change) -> list[FreezePeriod]:
    """The soft freezes a non-emergency change may deploy in: those its deployable period (planned
    period plus the tolerance) touches, so a deployment that drifts into a freeze has its extra approval."""
    if change.change_type == ChangeType.EMERGENCY or not (change.planned_start and change.planned_end):
        return []
    start, end = deployable_period(change)
    return [period for period in freezes_between(start, end, effective_service_ids(change))
            if period.kind == FreezeKind.SOFT]


SOFT_FREEZE_RULE_PREFIX = "Soft freeze"


def extra_approvals(change) -> list[tuple[str, str, str]]:
    """A change that may deploy in a soft freeze needs one approval beyond the matrix [POLICY §6]."""
    hit = soft_freezes_hit(change)
    if not hit:
        return []
    role = policy.get("soft_freeze_extra_approval")["role"]
    return [(role, f"{SOFT_FREEZE_RULE_PREFIX} “{hit[0].name}”: one extra approval", REF_FREEZES)]
