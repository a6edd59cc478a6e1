"""Each POLICY §9 measure, the DORA measures, the success score and the risk calibration, computed on the
hand-worked month of tests/metrics/conftest.py (time frozen), and what the filters keep."""
from datetime import timedelta

import pytest

from metrics import presenters
from metrics.forms import parse_period
from metrics.selectors import Scope
from tests.metrics.conftest import period_key


def build(**scope):
    return presenters.build(parse_period(period_key()), Scope(**scope))


def measures(report):
    return {m.code: m for m in [*report.measures, *(report.dora or [])]}


def test_rates_against_their_policy_targets(month):
    m = measures(build())
    # 5 changes deployed in the month have an outcome: #1, #2, #5 successful, #3 failed, #4 rolled back.
    assert (m["success_rate"].value, m["success_rate"].numerator, m["success_rate"].denominator) == (60.0, 3, 5)
    assert m["success_rate"].target == 95 and m["success_rate"].status == "missed"
    assert (m["failure_rate"].value, m["failure_rate"].numerator) == (40.0, 2)
    assert (m["rollback_rate"].value, m["rollback_rate"].target) == (20.0, 3)
    # 1 emergency change among the 7 filed in the month (#8 was filed the month before).
    assert (m["emergency_rate"].value, m["emergency_rate"].numerator, m["emergency_rate"].denominator) == (14.3, 1, 7)
    # issues within 24 h: #3's review found unexpected impact, #4 rolled back 1 h after deploying.
    assert (m["issues_24h"].value, m["issues_24h"].numerator) == (40.0, 2)
    assert all(m[code].met is False for code in ("success_rate", "failure_rate", "rollback_rate", "issues_24h"))


def test_times_lead_recovery_and_review(month):
    m = measures(build())
    assert (m["mttr"].value, m["mttr"].status) == (30.0, "met")  # decided to completed: 30 min < 60
    assert (m["review_completion"].value, m["review_completion"].status) == (4.0, "met")  # (6 h + 2 h) / 2
    assert (m["lead_time"].value, m["lead_time"].status) == (24.3, "no target")  # (24+48+24+24+2+24) / 6


def test_lead_time_and_volume_by_risk_and_type(month):
    report = build()
    by_risk = {row["risk"]: row for row in report.by_risk}
    assert by_risk["low"]["lead_time_hours"] == 30.0 and by_risk["high"]["lead_time_hours"] == 2.0
    assert by_risk["low"]["review_hours"] == 6.0 and by_risk["medium"]["mttr_minutes"] == 30.0
    assert {(row["type"], row["risk"]): row["filed"] for row in report.volume} == {
        ("standard", "low"): 1, ("normal", "low"): 4, ("normal", "medium"): 1, ("emergency", "high"): 1}
    assert {row["type"]: row["filed"] for row in report.by_type} == {"standard": 1, "normal": 5, "emergency": 1}


def test_per_team_and_per_service(month):
    report = build()
    teams = {row["team"]: row for row in report.by_team}
    assert (teams["Payments"]["finished"], teams["Payments"]["success_rate"]) == (4, 50.0)
    assert (teams["Search"]["filed"], teams["Search"]["success_rate"]) == (3, 100.0)
    services = {row["service"]: row for row in report.by_service}
    assert (services["payments-api"]["deployed"], services["payments-api"]["rollback_rate"]) == (5, 25.0)
    assert (services["search-api"]["filed"], services["search-api"]["deployed"]) == (3, 2)


def test_dora_measures_from_deployment_reports(month):
    m = measures(build())
    period = parse_period(period_key())
    # two rollouts started (#1, #4) over the month's weeks
    assert m["deployment_frequency"].value == round(2 / (period.days / 7), 2)
    assert m["deployment_frequency"].status == "missed"  # under 1 a week
    assert (m["change_failure_rate"].value, m["change_failure_rate"].denominator) == (50.0, 2)
    assert m["lead_time_for_changes"].value == 26.0  # #1: filed M+1d-1h, 100 % at M+2d+1h
    assert (m["time_to_restore"].value, m["time_to_restore"].status) == (90.0, "missed")  # first report to done


def test_no_dora_without_deployment_reports(month):
    assert build(risk="high").dora is None


def test_change_success_score_per_team(month):
    scores = {row["team"]: row for row in build().scores}
    # 90 days up to the month's end: Payments #1, #2 of #1-#4; Search #5 and last month's #8.
    assert (scores["Payments"]["score"], scores["Payments"]["finished"]) == (50.0, 4)
    assert (scores["Search"]["score"], scores["Search"]["successful"]) == (100.0, 2)


def test_a_team_under_the_minimum_has_no_score(month, people):
    from changemgmt import policy_services

    policy_services.update_setting(key="change_success_score", value={"window_days": 90, "min_completed": 3},
                          actor=people["admin"])
    scores = {row["team"]: row["score"] for row in build().scores}
    assert scores == {"Payments": 50.0, "Search": None}


def test_risk_calibration_flags_bands_and_teams(month):
    report = build()
    bands = {row["risk"]: row for row in report.calibration}
    assert (bands["low"]["failure_rate"], bands["low"]["flagged"]) == (33.3, True)  # 1 of 3 > 5 %
    assert (bands["medium"]["failure_rate"], bands["medium"]["flagged"]) == (100.0, True)
    assert (bands["high"]["failure_rate"], bands["high"]["flagged"]) == (0.0, False)
    assert [(row["team"], row["failure_rate"]) for row in report.flagged_teams] == [("Payments", 33.3)]
    assert report.predicts is False  # high fails less than medium


def test_calibration_needs_enough_changes_to_flag(month, people):
    from changemgmt import policy_services

    policy_services.update_setting(key="risk_calibration", value={
        "tolerated_failure_percent": {"low": 5, "medium": 10, "high": 15, "critical": 20}, "min_changes": 4},
        actor=people["admin"])
    report = build()
    assert not any(row["flagged"] for row in report.calibration) and report.flagged_teams == []
    assert report.predicts is None


@pytest.mark.parametrize("scope, filed, finished", [
    ({"team": "Payments"}, 4, 4), ({"risk": "low"}, 5, 3), ({"change_type": "emergency"}, 1, 1),
    ({"service": "search-api"}, 3, 1),
])
def test_filters_narrow_every_measure(month, scope, filed, finished):
    from changemgmt.models import Team

    if "team" in scope:
        scope["team"] = Team.objects.get(name=scope["team"]).pk
    if "service" in scope:
        scope["service"] = month["services"]["Search"].pk
    m = measures(build(**scope))
    assert (m["emergency_rate"].denominator, m["success_rate"].denominator) == (filed, finished)


def test_an_empty_period_has_no_data_rather_than_zero(month):
    m = measures(presenters.build(parse_period("1999-01"), Scope()))
    assert m["success_rate"].value is None and m["success_rate"].status == "no data"


def test_a_change_rolled_back_early_with_a_review_issue_counts_once(month):
    from changes.models import ChangeRequest

    rolled = month["changes"][3]
    ChangeRequest.objects.filter(pk=rolled.pk).update(state="closed", outcome="rolled_back",
                                                      review_answers={"no_unexpected_impact": False})
    m = measures(build())
    assert (m["issues_24h"].numerator, m["rollback_rate"].numerator) == (2, 1)


def answer(change, checkpoint, issues_found):
    """A review follow-up of `change`, answered (`issues_found` True/False) or not yet (None)."""
    from changes.models import ReviewFollowUp

    hours = 24 if checkpoint == "day" else 168
    answered = change.deployed_at + timedelta(hours=hours + 1) if issues_found is not None else None
    return ReviewFollowUp.objects.create(change=change, checkpoint=checkpoint,
                                         due_at=change.deployed_at + timedelta(hours=hours),
                                         answered_at=answered, issues_found=issues_found)


def test_a_24_hour_follow_up_that_found_issues_counts_as_an_issue(month):
    answer(month["changes"][1], "day", True)  # #2: successful, no other signal
    m = measures(build())
    assert (m["issues_24h"].numerator, m["issues_24h"].denominator, m["issues_24h"].value) == (3, 5, 60.0)
    teams = {row["team"]: row for row in build(team=month["changes"][1].team_id).by_team}
    assert teams["Payments"]["issues"] == 3


def test_other_follow_up_answers_are_no_24_hour_issue(month):
    changes = month["changes"]
    answer(changes[0], "week", True)  # the 1-week follow-up is not the 24-hour one
    answer(changes[0], "day", False)  # answered: no issue
    answer(changes[1], "day", None)  # not answered yet
    answer(changes[5], "day", True)  # #6 has no outcome yet: not among the changes measured
    assert measures(build())["issues_24h"].numerator == 2


def test_a_change_with_several_issue_signals_counts_once(month):
    changes = month["changes"]
    answer(changes[2], "day", True)  # #3: its close review already found unexpected impact
    answer(changes[3], "day", True)  # #4: already rolled back 1 h after deploying
    assert measures(build())["issues_24h"].numerator == 2


def test_the_notes_say_what_counts_as_a_24_hour_issue(month):
    note = " ".join(build().notes)
    assert "24-hour review follow-up was answered \"issues found\"" in note
    assert "rolled back within 24 h" in note and "'no_unexpected_impact' unticked" in note
    assert "once they are recorded" not in note
