"""Business time: the one place that knows which days count for SLAs [POLICY §3].

A business day is a whole calendar day, Monday to Friday in the organisation's time zone, that is not
a public holiday of the policy's country/subdivision (the `holidays` package) nor an extra closed
day. Deadlines are computed on the local wall clock (so "1 business day" from Friday 14:00 is Monday
14:00 even across a daylight-saving change); elapsed business time is counted in real seconds
inside business days (so a 25-hour DST day counts 25 hours).

Business *hours* (policy `business_calendar.business_hours`) only decide who authorizes an
emergency change; SLAs count whole business days.
"""
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings
from django.utils import timezone

from changemgmt import policy

DAY = 86400
# A guard against runaway loops: no calendar has a year without business days.
MAX_DAYS_SCANNED = 3660


def zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local(moment: datetime) -> datetime:
    return moment.astimezone(zone())


@lru_cache(maxsize=64)
def _public_holidays(country: str, subdivision: str, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays(country, subdiv=subdivision or None, years=year))


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone())


class BusinessCalendar:
    """The policy's calendar, read once; a sweep builds one and reuses it for every slot."""

    def __init__(self, settings_value: dict | None = None):
        value = settings_value or policy.get("business_calendar")
        self.country = value["country"]
        self.subdivision = value["subdivision"]
        self.extra_closed = frozenset(value["extra_closed_days"])
        self.hours = (time.fromisoformat(value["business_hours"]["start"]),
                      time.fromisoformat(value["business_hours"]["end"]))

    def closed_reason(self, day: date) -> str:
        """Why `day` is not a business day ("" when it is one)."""
        if day.weekday() >= 5:
            return "weekend"
        if day.isoformat() in self.extra_closed:
            return "closed day"
        if self.country and day in _public_holidays(self.country, self.subdivision, day.year):
            return "public holiday"
        return ""

    def is_business_day(self, day: date) -> bool:
        return not self.closed_reason(day)

    def next_business_day(self, day: date) -> date:
        for _ in range(MAX_DAYS_SCANNED):
            day += timedelta(days=1)
            if self.is_business_day(day):
                return day
        raise ValueError("No business day within ten years; check the business calendar policy")

    def add_business_days(self, start: datetime, days: int) -> datetime:
        """The instant `days` business days after `start`. A start outside business days counts from
        the beginning of the next business day (work filed on Saturday is due as if filed Monday 00:00)."""
        moment = local(start)
        day = moment.date()
        if not self.is_business_day(day):
            day = self.next_business_day(day)
            wall = time.min
        else:
            wall = moment.time().replace(tzinfo=None)
        for _ in range(days):
            day = self.next_business_day(day)
        return datetime.combine(day, wall, tzinfo=zone()).astimezone(start.tzinfo or zone())

    def _business_spans(self, start: datetime, end: datetime):
        """(from, to) pieces of [start, end) that fall on business days, in local time."""
        start, end = local(start), local(end)
        day = start.date()
        while _midnight(day) < end:
            if self.is_business_day(day):
                lo = max(start, _midnight(day))
                hi = min(end, _midnight(day + timedelta(days=1)))
                if hi > lo:
                    yield lo, hi
            day += timedelta(days=1)

    def business_seconds(self, start: datetime, end: datetime) -> float:
        """Business time elapsed between two instants (0 when end is not after start)."""
        if end <= start:
            return 0.0
        return sum((hi - lo).total_seconds() for lo, hi in self._business_spans(start, end))

    def add_business_seconds(self, start: datetime, seconds: float) -> datetime:
        """The instant at which `seconds` of business time have passed since `start`."""
        moment = local(start)
        day = moment.date()
        left = seconds
        for _ in range(MAX_DAYS_SCANNED):
            if self.is_business_day(day):
                lo = max(moment, _midnight(day))
                hi = _midnight(day + timedelta(days=1))
                available = (hi - lo).total_seconds()
                if left <= available:
                    return (lo + timedelta(seconds=left)).astimezone(start.tzinfo or zone())
                left -= available
            day += timedelta(days=1)
        raise ValueError("No business day within ten years; check the business calendar policy")

    def point_in_sla(self, start: datetime, due_at: datetime, percent: float) -> datetime:
        """The instant at which `percent` % of the SLA's business time has passed (may exceed 100)."""
        return self.add_business_seconds(start, self.business_seconds(start, due_at) * percent / 100)

    def is_business_hours(self, moment: datetime) -> bool:
        """Inside the working hours of a business day (who authorizes an emergency depends on it)."""
        moment = local(moment)
        start, end = self.hours
        return self.is_business_day(moment.date()) and start <= moment.time().replace(tzinfo=None) < end


def current() -> BusinessCalendar:
    return BusinessCalendar()


def is_business_day(day: date) -> bool:
    return current().is_business_day(day)


def add_business_days(start: datetime, days: int) -> datetime:
    return current().add_business_days(start, days)


def business_seconds(start: datetime, end: datetime) -> float:
    return current().business_seconds(start, end)


def add_business_seconds(start: datetime, seconds: float) -> datetime:
    return current().add_business_seconds(start, seconds)


def point_in_sla(start: datetime, due_at: datetime, percent: float) -> datetime:
    return current().point_in_sla(start, due_at, percent)


def is_business_hours(moment: datetime) -> bool:
    return current().is_business_hours(moment)


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}{'' if count == 1 else 's'}"


def _amount(seconds: float, *, business: bool) -> str:
    prefix = "business " if business else ""
    if seconds >= DAY:
        return _plural(int(seconds // DAY), f"{prefix}day")
    if seconds >= 3600:
        return _plural(int(seconds // 3600), f"{prefix}hour")
    return _plural(max(1, int(seconds // 60)), "minute")


def describe_due(due_at: datetime | None, now: datetime | None = None, cal: BusinessCalendar | None = None) -> str:
    """"due in 5 business hours" / "overdue by 1 day": remaining time in business time, lateness in
    plain time (a breach does not stop growing over a weekend)."""
    if due_at is None:
        return "no deadline"
    now = now or timezone.now()
    if due_at <= now:
        return f"overdue by {_amount((now - due_at).total_seconds(), business=False)}"
    return describe_remaining((cal or current()).business_seconds(now, due_at), due_at)


def describe_remaining(remaining: float, due_at: datetime) -> str:
    """describe_due's words for a deadline not yet passed, `remaining` business seconds away (a caller
    that already has them, such as a badge that also needs the SLA fraction, need not count them again)."""
    if remaining < 60:
        return f"due {local(due_at):%a %d %b %H:%M}"
    return f"due in {_amount(remaining, business=True)}"


def sla_fraction(start: datetime, due_at: datetime, now: datetime | None = None,
                 cal: BusinessCalendar | None = None) -> float:
    """How far through its SLA a piece of work is (0.5 = half its business time used; >1 overdue)."""
    now = now or timezone.now()
    cal = cal or current()
    if now >= due_at:
        return 1.0
    total = cal.business_seconds(start, due_at)
    return cal.business_seconds(start, now) / total if total > 0 else 0.0


def closed_reason_of(day: date) -> str:
    """Why `day` is not a business day under the current policy ("" when it is one)."""
    return current().closed_reason(day)
