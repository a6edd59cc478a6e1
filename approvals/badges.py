"""SLA badges for many slots at once: one business calendar per request, with business time read off
a memoised running total instead of walking the days between two instants for every slot.

`RequestClock.business_seconds(a, b)` equals `clock.BusinessCalendar.business_seconds(a, b)` (real
seconds inside business days of the organisation's time zone, so a 25-hour DST day counts 25 hours);
it is cumulative business time since the request's local midnight, B(b) - B(a), with B memoised per
day. A "My approvals" page of 500 slots thus looks each day up once instead of ~3 times per slot.
"""
from datetime import date, datetime, time, timedelta

from approvals.choices import SlotStatus
from changemgmt import clock

ZERO = timedelta(0)


class RequestClock:
    """Business time for one request; pass it wherever clock functions accept a calendar."""

    def __init__(self, now: datetime, cal: clock.BusinessCalendar | None = None):
        self.now = now
        self.cal = cal or clock.current()
        self.anchor = clock.local(now).date()
        self._open: dict[date, bool] = {}
        # Business time from the anchor's midnight to each day's midnight (negative before the anchor).
        self._before: dict[date, timedelta] = {self.anchor: ZERO}
        self._zone = clock.zone()
        self._now_running: timedelta | None = None
        self._badges: dict[tuple[datetime, datetime], tuple[str, str]] = {}
        self._stamps: dict[datetime, str] = {}

    def local(self, moment: datetime) -> datetime:
        """clock.local without reading the time zone setting again (a lazy settings lookup per call)."""
        return moment.astimezone(self._zone)

    def stamp(self, moment: datetime) -> str:
        """`moment` as the queue prints it ("7 Dec 14:05", local time), once per distinct moment: the slots
        of one change share their due time."""
        known = self._stamps.get(moment)
        if known is None:
            known = self._stamps[moment] = moment.astimezone(self._zone).strftime("%-d %b %H:%M")
        return known

    def _midnight(self, day: date) -> datetime:
        return datetime.combine(day, time.min, tzinfo=self._zone)

    def _is_open(self, day: date) -> bool:
        known = self._open.get(day)
        if known is None:
            known = self._open[day] = self.cal.is_business_day(day)
        return known

    def _day_length(self, day: date) -> timedelta:
        return self._midnight(day + timedelta(days=1)) - self._midnight(day) if self._is_open(day) else ZERO

    def _cumulative(self, day: date) -> timedelta:
        known = self._before.get(day)
        if known is not None:
            return known
        if abs((day - self.anchor).days) > clock.MAX_DAYS_SCANNED:
            raise ValueError("Date too far from today for an SLA clock")
        step = timedelta(days=1 if day > self.anchor else -1)
        walk = day
        while walk not in self._before:  # back towards the anchor until a known day
            walk -= step
        total = self._before[walk]
        while walk != day:
            if step > ZERO:
                total += self._day_length(walk)
                walk += step
            else:
                walk += step
                total -= self._day_length(walk)
            self._before[walk] = total
        return total

    def running(self, moment: datetime) -> timedelta:
        """Business time from the anchor's midnight to `moment` (negative before it): B(moment)."""
        if moment is self.now:  # every badge measures against now: once per request
            if self._now_running is None:
                self._now_running = self._running_at(moment)
            return self._now_running
        return self._running_at(moment)

    def _running_at(self, moment: datetime) -> timedelta:
        local = moment.astimezone(self._zone)
        day = local.date()
        inside = local - self._midnight(day) if self._is_open(day) else ZERO
        return self._cumulative(day) + inside

    def business_seconds(self, start: datetime, end: datetime) -> float:
        if end <= start:
            return 0.0
        return (self.running(end) - self.running(start)).total_seconds()


def sla_badge(slot, rclock: RequestClock) -> tuple[str, str]:
    """(text, colour) of a slot's SLA clock: red when overdue, amber past half its business time.

    What clock.describe_due and clock.sla_fraction say, with B(due) and B(created) looked up once
    for both (each would otherwise look them up on its own: four lookups a slot instead of two). A badge
    depends only on the slot's creation and due times against the request's now, which the slots of one
    change share (they are created together): each pair is worked out once per request."""
    if slot.status != SlotStatus.PENDING or slot.due_at is None:
        return ("", "grey")
    key = (slot.due_at, slot.created_at)
    known = rclock._badges.get(key)
    if known is None:
        known = rclock._badges[key] = _badge(rclock, *key)
    return known


def _badge(rclock: RequestClock, due_at: datetime, created_at: datetime) -> tuple[str, str]:
    now = rclock.now
    if due_at <= now:
        return (clock.describe_due(due_at, now, rclock), "red")
    at_due, at_now = rclock.running(due_at), rclock.running(now)
    text = clock.describe_remaining((at_due - at_now).total_seconds(), due_at)
    return (text, "amber" if _fraction(rclock, created_at, due_at, at_due, at_now) >= 0.5 else "green")


def _fraction(rclock: RequestClock, created_at: datetime, due_at: datetime, at_due: timedelta,
              at_now: timedelta) -> float:
    """clock.sla_fraction(created_at, due_at, now) of a slot not yet due, given B(due) and B(now)."""
    if due_at <= created_at:
        return 0.0
    at_created = rclock.running(created_at)
    total = (at_due - at_created).total_seconds()
    used = (at_now - at_created).total_seconds() if rclock.now > created_at else 0.0
    return used / total if total > 0 else 0.0
