"""SLA badges for a whole page read business time from one memoised calendar per request; the
answers must be exactly those of the business-time module, across weekends, holidays and DST."""
from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from approvals.badges import RequestClock, sla_badge
from changemgmt import clock

NY = ZoneInfo("America/New_York")
NOW = datetime(2026, 11, 2, 10, 30, tzinfo=NY)  # Monday after the autumn DST change


@pytest.mark.django_db
@pytest.mark.parametrize("start, end", [
    (datetime(2026, 10, 30, 14, 0, tzinfo=NY), datetime(2026, 11, 3, 9, 0, tzinfo=NY)),  # over DST weekend
    (datetime(2026, 11, 25, 12, 0, tzinfo=NY), datetime(2026, 11, 30, 12, 0, tzinfo=NY)),  # Thanksgiving
    (datetime(2026, 3, 6, 8, 0, tzinfo=NY), datetime(2026, 3, 10, 8, 0, tzinfo=NY)),  # spring DST, months back
    (NOW, NOW + timedelta(minutes=5)),
    (datetime(2026, 10, 31, 12, 0, tzinfo=NY), datetime(2026, 11, 1, 12, 0, tzinfo=NY)),  # all weekend
    (datetime(2026, 12, 24, 23, 0, tzinfo=NY), datetime(2027, 1, 4, 1, 0, tzinfo=NY)),  # holidays, new year
])
def test_request_clock_counts_the_same_business_time_as_the_calendar(start, end):
    cal = clock.current()
    rclock = RequestClock(NOW, cal)
    assert rclock.business_seconds(start, end) == cal.business_seconds(start, end)
    assert rclock.business_seconds(end, start) == 0.0


@pytest.mark.django_db
def test_badges_say_the_same_as_the_clock_and_colour_by_progress():
    rclock = RequestClock(NOW)

    def slot(created, due):
        return SimpleNamespace(status="pending", created_at=created, due_at=due)

    fresh = slot(NOW - timedelta(hours=1), NOW + timedelta(days=1))
    assert sla_badge(fresh, rclock) == (clock.describe_due(fresh.due_at, NOW), "green")
    late_half = slot(NOW - timedelta(days=3), NOW + timedelta(hours=2))
    assert sla_badge(late_half, rclock) == ("due in 2 business hours", "amber")
    overdue = slot(NOW - timedelta(days=3), NOW - timedelta(days=1, minutes=1))
    assert sla_badge(overdue, rclock) == ("overdue by 1 day", "red")
    assert sla_badge(SimpleNamespace(status="granted", created_at=NOW, due_at=NOW), rclock) == ("", "grey")
