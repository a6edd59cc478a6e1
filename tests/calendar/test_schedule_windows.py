"""Deployment windows [POLICY §6]: per weekday and risk, in New York time, editable and validated."""
from datetime import datetime, time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from changemgmt.models import LedgerEntry
from changes.calendar import schedule
from changes.calendar import services as calendar_services
from changes.calendar.models import DeploymentWindow
from tests.support import factories as f

NY = f.NY


def violations(risk, start, end, change_type="normal"):
    return schedule.window_violations(change_type=change_type, risk=risk, start=start, end=end)


def test_default_windows_follow_the_policy_table(db):
    table = {(w.weekday, w.starts, w.ends): sorted(w.risks) for w in DeploymentWindow.objects.all()}
    assert table == {
        (0, time(6), time(10)): ["low", "medium"],
        (1, time(6), time(10)): ["critical", "high", "low", "medium"],
        (2, time(6), time(10)): ["critical", "high", "low", "medium"],
        (3, time(6), time(10)): ["low", "medium"],
    }


def test_high_risk_on_monday_is_refused_naming_the_allowed_windows(db):
    monday = datetime(2026, 11, 30, 7, 0, tzinfo=NY)
    [missing] = violations("high", monday, monday.replace(hour=8))
    assert missing.code == "outside_window"
    assert "Tue 06:00-10:00" in missing.message and "Wed 06:00-10:00" in missing.message
    assert violations("medium", monday, monday.replace(hour=8)) == []


def test_friday_and_weekend_are_emergency_only(db):
    friday = datetime(2026, 12, 4, 7, 0, tzinfo=NY)
    saturday = datetime(2026, 12, 5, 7, 0, tzinfo=NY)
    assert [m.code for m in violations("low", friday, friday.replace(hour=8))] == ["outside_window"]
    assert [m.code for m in violations("low", saturday, saturday.replace(hour=8))] == ["outside_window"]
    assert violations("low", friday, friday.replace(hour=8), change_type="emergency") == []


def test_a_change_running_past_the_window_end_is_refused(db):
    tuesday = datetime(2026, 12, 1, 9, 0, tzinfo=NY)
    assert [m.code for m in violations("low", tuesday, tuesday.replace(hour=11))] == ["outside_window"]


def test_window_is_local_time_across_daylight_saving(db):
    """06:00 New York is 11:00 UTC in winter and 10:00 UTC in summer."""
    from datetime import UTC

    winter = datetime(2026, 11, 3, 11, 0, tzinfo=UTC)  # Tuesday after DST ended (Nov 1)
    summer = datetime(2026, 10, 27, 10, 0, tzinfo=UTC)  # Tuesday before
    assert violations("high", winter, winter.replace(hour=12)) == []
    assert violations("high", summer, summer.replace(hour=11)) == []
    too_early = datetime(2026, 11, 3, 10, 30, tzinfo=UTC)  # 05:30 local in winter
    assert [m.code for m in violations("high", too_early, too_early.replace(hour=11, minute=30))] == ["outside_window"]


def test_administrator_adds_a_friday_window_and_the_rule_follows(admin_user):
    friday = datetime(2026, 12, 4, 7, 0, tzinfo=NY)
    window = calendar_services.save_window(actor=admin_user, data={"weekday": 4, "starts": "06:00", "ends": "09:00",
                                                                   "risks": ["low"]})
    assert violations("low", friday, friday.replace(hour=8)) == []
    assert [m.code for m in violations("medium", friday, friday.replace(hour=8))] == ["outside_window"]
    entry = LedgerEntry.objects.get(action="calendar.window_saved")
    assert entry.subject == f"changes.deploymentwindow:{window.pk}" and entry.payload["after"]["risks"] == ["low"]


def test_window_ending_before_it_starts_is_refused(admin_user):
    with pytest.raises(ValidationError) as refusal:
        calendar_services.save_window(actor=admin_user, data={"weekday": 4, "starts": "10:00", "ends": "06:00",
                                                              "risks": ["low"]})
    assert "must end after it starts" in str(refusal.value.message_dict["ends"])
    assert not DeploymentWindow.objects.filter(weekday=4).exists()


def test_overlapping_windows_sharing_a_risk_are_refused(admin_user):
    with pytest.raises(ValidationError) as refusal:
        calendar_services.save_window(actor=admin_user, data={"weekday": 0, "starts": "09:00", "ends": "11:00",
                                                              "risks": ["medium", "high"]})
    assert "Overlaps the window Monday 06:00-10:00" in str(refusal.value.message_dict["__all__"])
    # A window for other risk levels may share the time.
    calendar_services.save_window(actor=admin_user, data={"weekday": 0, "starts": "09:00", "ends": "11:00",
                                                          "risks": ["high"]})
    assert DeploymentWindow.objects.filter(weekday=0).count() == 2


def test_editing_a_window_keeps_unsent_fields_and_is_revalidated(admin_user):
    monday = DeploymentWindow.objects.get(weekday=0)
    calendar_services.save_window(actor=admin_user, window_id=monday.pk, data={"ends": "11:00"})
    monday.refresh_from_db()
    assert (monday.starts, monday.ends, monday.risks) == (time(6), time(11), ["low", "medium"])
    with pytest.raises(ValidationError):
        calendar_services.save_window(actor=admin_user, window_id=monday.pk, data={"ends": "05:00"})


def test_only_administrators_and_the_cab_chair_edit_windows(requester, auditor, cab_chair):
    for user in (requester, auditor):
        with pytest.raises(PermissionDenied):
            calendar_services.save_window(actor=user, data={"weekday": 4, "starts": "06:00", "ends": "07:00",
                                                            "risks": ["low"]})
    calendar_services.save_window(actor=cab_chair, data={"weekday": 4, "starts": "06:00", "ends": "07:00",
                                                         "risks": ["low"]})


def test_deleting_a_window_makes_the_day_emergency_only_and_is_audited(admin_user):
    monday_window = DeploymentWindow.objects.get(weekday=0)
    calendar_services.delete_window(actor=admin_user, window_id=monday_window.pk)
    monday = datetime(2026, 11, 30, 7, 0, tzinfo=NY)
    assert [m.code for m in violations("low", monday, monday.replace(hour=8))] == ["outside_window"]
    assert LedgerEntry.objects.filter(action="calendar.window_deleted").count() == 1
