"""Business time: deadlines skip weekends, public holidays and closed days, and keep the wall-clock
time across daylight-saving changes [POLICY §3]."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from changemgmt import clock, policy, policy_services
from changemgmt.models import PolicySetting

NY = ZoneInfo("America/New_York")
UTC = ZoneInfo("UTC")
pytestmark = pytest.mark.django_db


def ny(*args):
    return datetime(*args, tzinfo=NY)


def test_one_business_day_from_monday_noon_is_tuesday_noon():
    assert clock.add_business_days(ny(2026, 11, 23, 12), 1) == ny(2026, 11, 24, 12)


def test_friday_afternoon_plus_one_business_day_is_monday_afternoon():
    assert clock.add_business_days(ny(2026, 11, 20, 14), 1) == ny(2026, 11, 23, 14)


def test_thanksgiving_is_skipped():
    assert clock.closed_reason_of(ny(2026, 11, 26).date()) == "public holiday"
    assert clock.add_business_days(ny(2026, 11, 25, 12), 1) == ny(2026, 11, 27, 12)
    assert clock.add_business_days(ny(2026, 11, 24, 9), 3) == ny(2026, 11, 30, 9)


def test_work_filed_on_saturday_counts_from_monday_morning():
    assert clock.add_business_days(ny(2026, 11, 21, 10), 1) == ny(2026, 11, 24, 0)


def test_autumn_dst_change_keeps_the_wall_clock_time():
    start = ny(2026, 10, 30, 12)  # Friday, EDT; clocks go back on Sunday 2026-11-01
    due = clock.add_business_days(start, 1)
    assert due == ny(2026, 11, 2, 12)
    assert due.utcoffset() == timedelta(hours=-5)
    assert due.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=73)


def test_spring_dst_change_keeps_the_wall_clock_time():
    start = ny(2026, 3, 6, 12)  # Friday, EST; clocks go forward on Sunday 2026-03-08
    due = clock.add_business_days(start.astimezone(UTC), 1)
    assert due == ny(2026, 3, 9, 12)
    assert due.tzinfo == UTC  # returned in the zone it was given
    assert due - start == timedelta(hours=71)


def test_business_seconds_skip_weekend_and_holiday():
    assert clock.business_seconds(ny(2026, 11, 20, 12), ny(2026, 11, 23, 12)) == 24 * 3600
    assert clock.business_seconds(ny(2026, 11, 25, 12), ny(2026, 11, 27, 12)) == 24 * 3600
    assert clock.business_seconds(ny(2026, 10, 30, 12), ny(2026, 11, 2, 12)) == 24 * 3600  # DST weekend


def test_half_of_a_friday_sla_falls_at_friday_midnight():
    start, due = ny(2026, 11, 20, 12), ny(2026, 11, 23, 12)
    assert clock.point_in_sla(start, due, 50) == ny(2026, 11, 21, 0)
    assert clock.point_in_sla(start, due, 100) == due
    assert clock.point_in_sla(start, due, 200) == ny(2026, 11, 24, 12)


def test_extra_closed_days_come_from_policy(admin_user):
    value = dict(policy.get("business_calendar"), extra_closed_days=["2026-11-24"])
    policy_services.update_setting(key="business_calendar", value=value, actor=admin_user)
    assert clock.add_business_days(ny(2026, 11, 23, 12), 1) == ny(2026, 11, 25, 12)


def test_subdivision_holidays_apply(admin_user):
    patriots_day = ny(2026, 4, 20, 12)
    assert clock.is_business_day(patriots_day.date())
    value = dict(policy.get("business_calendar"), subdivision="MA")
    policy_services.update_setting(key="business_calendar", value=value, actor=admin_user)
    assert not clock.is_business_day(patriots_day.date())


def test_policy_rows_are_loaded_by_migration():
    assert PolicySetting.objects.get(key="business_calendar").value["country"] == "US"
    assert PolicySetting.objects.filter(key="sla_escalation_percents").exists()


@pytest.mark.parametrize(("now", "due", "text"), [
    (ny(2026, 11, 23, 19), ny(2026, 11, 24, 12), "due in 17 business hours"),
    (ny(2026, 11, 20, 21), ny(2026, 11, 23, 2), "due in 5 business hours"),  # across the weekend
    (ny(2026, 11, 23, 12), ny(2026, 11, 25, 12), "due in 2 business days"),
    (ny(2026, 11, 23, 12), ny(2026, 11, 23, 12, 30), "due in 30 minutes"),
    (ny(2026, 11, 21, 12), ny(2026, 11, 23, 0), "due Mon 23 Nov 00:00"),
    (ny(2026, 11, 25, 12), ny(2026, 11, 24, 12), "overdue by 1 day"),
    (ny(2026, 11, 24, 15), ny(2026, 11, 24, 12), "overdue by 3 hours"),
    (ny(2026, 11, 28, 17), ny(2026, 11, 27, 17), "overdue by 1 day"),  # lateness grows on weekends
])
def test_due_text(now, due, text):
    assert clock.describe_due(due, now) == text


def test_business_hours_decide_by_local_time_and_calendar():
    assert clock.is_business_hours(ny(2026, 11, 23, 10))
    assert not clock.is_business_hours(ny(2026, 11, 23, 2))
    assert not clock.is_business_hours(ny(2026, 11, 26, 10))  # Thanksgiving
    assert not clock.is_business_hours(ny(2026, 11, 21, 10))  # Saturday


def test_sla_fraction_counts_business_time_only():
    start, due = ny(2026, 11, 20, 12), ny(2026, 11, 23, 12)
    assert clock.sla_fraction(start, due, ny(2026, 11, 22, 12)) == 0.5  # all weekend adds nothing
    assert clock.sla_fraction(start, due, ny(2026, 11, 23, 18)) == 1.0
