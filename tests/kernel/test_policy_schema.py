"""A policy edit is checked for meaning, key by key: an edit the engine could not work with is refused
with a message naming the key and the rule, and writes nothing; every edit that is accepted leaves the
engine working (a property test over random edits)."""
import copy
import json
from importlib import import_module
from itertools import product
from unittest import mock

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from approvals import matrix
from approvals.choices import EmergencyRole, SlotRole
from changemgmt import policy, policy_schema, policy_services
from changemgmt.models import LedgerEntry, PolicySetting
from changemgmt.policy_defaults import DEFAULTS, RISK_LEVELS
from changes import risk
from changes.choices import Category
from changes.choices import TestType as RecordableTestType

SHIPPED = {key: value for key, (value, _ref, _desc) in DEFAULTS.items()}
ADMIN_POLICY = "/admin/changemgmt/policysetting/"


def edited(key, change):
    value = copy.deepcopy(SHIPPED[key])
    result = change(value)
    return value if result is None else result


def bands(*triples):
    return [{"level": level, "min": low, "max": high} for level, low, high in triples]


def window(start, end, risks):
    return {"mon": [{"start": start, "end": end, "risks": risks}], **{day: [] for day in policy_schema.WEEKDAYS[1:]}}


REFUSED = [
    ("approval_matrix", lambda v: v.update(low=["peer", "qa"]),
     "approval_matrix.low: 'qa' is not a known approval role"),
    ("approval_matrix", lambda v: v.update(low=["peer", "peer"]), "only once"),
    ("approval_matrix", lambda v: v.update(medium=["peer", "cab"]), "cab.review_risks: must include medium"),
    ("risk_bands", lambda v: bands(("low", 5, 7), ("high", 12, 15)), "a gap at 8"),
    ("risk_bands", lambda v: bands(("low", 5, 8), ("medium", 8, 11), ("high", 12, 15)), "an overlap at 9"),
    ("risk_bands", lambda v: bands(("low", 5, 7), ("medium", 8, 14)), "they end at 14"),
    ("risk_bands", lambda v: bands(("low", 3, 7), ("medium", 8, 11), ("high", 12, 15)), "cover every total 5-15"),
    ("risk_bands", lambda v: bands(("low", 5, 7), ("high", 8, 11), ("medium", 12, 15)), "never give a lower risk"),
    ("risk_bands", lambda v: bands(("low", 5, 7), ("severe", 8, 15)), "'severe' is not a known risk level"),
    ("risk_critical_factors", lambda v: v.update(data_risk=4), "risk_critical_factors.data_risk: must be a factor"),
    ("category_reviewers", lambda v: v["database"].update(including="qa"), "category_reviewers.database.including"),
    ("category_reviewers", lambda v: v["security"].update(count=0), "category_reviewers.security.count: must be at"),
    ("security_triggers", lambda v: v.append(dict(v[0])), "security_triggers: each code may appear only once"),
    ("security_triggers", lambda v: v[0].update(code="Auth N"), "security_triggers[0].code"),
    ("security_triggers", lambda v: v[0].update(label=" "), "security_triggers[0].label: must not be blank"),
    ("sla_business_days", lambda v: v.update(low=0), "sla_business_days.low: must be more than 0"),
    ("pipeline_rollout_stages", lambda v: [1, 20, 5, 100], "pipeline_rollout_stages: stages must rise strictly"),
    ("pipeline_rollout_stages", lambda v: [1, 5, 20], "pipeline_rollout_stages: must end with 100"),
    ("pipeline_health_budgets", lambda v: v["error_rate_percent"].update(critical=1),
     "pipeline_health_budgets.error_rate_percent: critical must be above warning"),
    ("sla_reminder_percents", lambda v: [50, 150], "sla_reminder_percents[1]: must be a whole percentage 1-100"),
    ("sla_reminder_percents", lambda v: [50, 50], "each percentage may appear only once"),
    ("sla_escalation_percents", lambda v: v.update(cab_chair=50), "sla_escalation_percents.cab_chair"),
    ("test_requirements", lambda v: v.update(low=["unit", "smoke"]),
     "test_requirements.low: 'smoke' is not a known recordable test type"),
    ("test_recommendations", lambda v: v.update(high=["chaos"]), "test_recommendations.high: 'chaos'"),
    ("predeploy_checklist", lambda v: v[1].update(code=v[0]["code"]), "predeploy_checklist: each code"),
    ("deployment_methods", lambda v: [], "deployment_methods: name at least one entry"),
    ("verification_checks", lambda v: v[0].update(code=""), "verification_checks[0].code"),
    ("review_items", lambda v: v[0].update(label=""), "review_items[0].label"),
    ("emergency_criteria", lambda v: [], "emergency_criteria: name at least one entry"),
    ("rollback_triggers", lambda v: [], "rollback_triggers: name at least one entry"),
    ("deployment_windows", lambda v: window("10:00", "06:00", ["low"]), "deployment_windows.mon[0]: must end after"),
    ("deployment_windows", lambda v: window("06:00", "25:00", ["low"]), "deployment_windows.mon[0].end"),
    ("deployment_windows", lambda v: window("06:00", "10:00", ["extreme"]), "'extreme' is not a known risk level"),
    ("deployment_windows", lambda v: window("06:00", "10:00", []), "name at least one risk level"),
    ("rollback_decision", lambda v: v["low"].update(minutes=0), "rollback_decision.low.minutes: must be more than"),
    ("rollback_decision", lambda v: v["high"].update(who=""), "rollback_decision.high.who: must not be blank"),
    ("business_calendar", lambda v: v.update(country="XX"), "business_calendar: 'XX'/'' is not a country"),
    ("business_calendar", lambda v: v.update(subdivision="ZZ"), "is not a country (and subdivision)"),
    ("business_calendar", lambda v: v.update(extra_closed_days=["2026-13-01"]), "extra_closed_days[0]"),
    ("business_calendar", lambda v: v.update(business_hours={"start": "17:00", "end": "09:00"}),
     "business_calendar.business_hours: must end after it starts"),
    ("emergency_reminder_hours", lambda v: [12, 30], "emergency_reminder_hours[1]: must fall between"),
    ("emergency_paperwork_hours", lambda v: 10, "emergency_reminder_hours[0]: must fall between"),
    ("emergency_paperwork_hours", lambda v: 0, "emergency_paperwork_hours: must be more than 0"),
    ("emergency_rate_target_percent", lambda v: v.update(target=20), "target <= tolerated"),
    ("emergency_rate_target_percent", lambda v: v.update(period_days=0), "period_days: must be at least 1"),
    ("freeze_rules", lambda v: v["end_of_quarter"].update(days=0), "freeze_rules.end_of_quarter.days: must be 1-28"),
    ("freeze_rules", lambda v: v["end_of_month"].update(kind="medium"), "freeze_rules.end_of_month.kind"),
    ("freeze_rules", lambda v: v["public_holidays"].update(country="XX"), "freeze_rules.public_holidays: 'XX'"),
    ("slot_search", lambda v: v.update(step_minutes=0), "slot_search.step_minutes: must be at least 1"),
    ("cab", lambda v: v.update(weekday="someday"), "cab.weekday: must be one of mon"),
    ("cab", lambda v: v.update(time="10h"), "cab.time: '10h' is not a time of day"),
    ("cab", lambda v: v.update(duration_minutes=0), "cab.duration_minutes: must be more than 0"),
    ("cab", lambda v: v.update(agenda_lookback_days=0), "cab.agenda_lookback_days: must be more than 0"),
    ("cab", lambda v: v["quorum"].update(roles_fraction=1.5), "cab.quorum.roles_fraction"),
    ("cab", lambda v: v.update(review_risks=["severe"]), "cab.review_risks: 'severe' is not a known risk level"),
    ("cab", lambda v: v.update(review_risks=["critical"]), "cab.review_risks: must include high"),
    ("emergency_authorization", lambda v: v.update(alone=["cfo"]), "emergency_authorization.alone: 'cfo'"),
    ("emergency_authorization", lambda v: v.update(alone=[], pair=[]), "someone must be able to authorize"),
    ("emergency_authorization", lambda v: v.update(alone=["cto", "manager"]), "either alone or part of the pair"),
    ("emergency_authorization", lambda v: v.update(max_backdate_hours=-1), "max_backdate_hours must be a number"),
    ("soft_freeze_extra_approval", lambda v: v.update(role="qa"), "soft_freeze_extra_approval.role: 'qa'"),
    ("metrics_targets", lambda v: v.update(success_rate_min_percent=101),
     "metrics_targets.success_rate_min_percent: must be a percentage 0-100"),
    ("metrics_targets", lambda v: v.update(pir_issues_max_percent=150), "metrics_targets.pir_issues_max_percent"),
    ("metrics_targets", lambda v: v.update(mttr_max_minutes=0), "metrics_targets.mttr_max_minutes: must be more"),
    ("metrics_targets", lambda v: v.update(deployments_per_week_min=0),
     "metrics_targets.deployments_per_week_min: must be more than 0"),
    ("metrics_issues_24h", lambda v: v.update(hours=0), "metrics_issues_24h.hours: must be more than 0"),
    ("metrics_issues_24h", lambda v: v.update(review_item="all_good"),
     "metrics_issues_24h.review_item: 'all_good' is not a review_items code"),
    ("review_items", lambda v: [item for item in v if item["code"] != "no_unexpected_impact"],
     "metrics_issues_24h.review_item: 'no_unexpected_impact' is not a review_items code"),
    ("change_success_score", lambda v: v.update(window_days=0), "change_success_score.window_days: must be at least 1"),
    ("change_success_score", lambda v: v.update(min_completed=0), "change_success_score.min_completed: must be at"),
    ("metrics_freshness", lambda v: v.update(cache_minutes=2000), "metrics_freshness.cache_minutes: must be at most"),
    ("metrics_freshness", lambda v: v.update(cache_minutes=-1), "metrics_freshness.cache_minutes must be a number"),
    ("risk_calibration", lambda v: v["tolerated_failure_percent"].update(high=120),
     "risk_calibration.tolerated_failure_percent.high: must be a percentage 0-100"),
    ("risk_calibration", lambda v: v["tolerated_failure_percent"].update(low=30),
     "risk_calibration.tolerated_failure_percent: a higher risk level must not tolerate less failure"),
    ("risk_calibration", lambda v: v.update(min_changes=0), "risk_calibration.min_changes: must be at least 1"),
    ("lead_time_hours", lambda v: v["normal"].update(low=-1), "lead_time_hours.normal.low must be a number of zero"),
    ("monitoring_minutes", lambda v: v.update(low=30.5), "monitoring_minutes.low must be a whole number"),
    ("retention_years", lambda v: v.update(changes="3"), "retention_years.changes must be a number"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("key, change, message", REFUSED, ids=[f"{case[0]}-{n}" for n, case in enumerate(REFUSED)])
def test_an_edit_the_engine_cannot_work_with_is_refused_naming_the_key_and_the_rule(admin_user, key, change,
                                                                                     message):
    before = PolicySetting.objects.get(key=key).value
    with pytest.raises(ValidationError) as error:
        policy_services.update_setting(key=key, value=edited(key, change), actor=admin_user)
    assert message in " ".join(error.value.messages)
    assert PolicySetting.objects.get(key=key).value == before
    assert not LedgerEntry.objects.filter(action="policy.updated").exists()


def test_every_shipped_default_passes_every_rule():
    for key in DEFAULTS:
        policy_schema.validate(key, SHIPPED[key], SHIPPED)


@pytest.mark.django_db
def test_a_meaningful_edit_is_accepted_and_the_engine_follows_it(admin_user):
    policy_services.update_setting(key="risk_bands", value=bands(("low", 5, 9), ("medium", 10, 12), ("high", 13, 15)),
                          actor=admin_user)
    assert risk.band({"systems": 2, "users": 2, "data": 2, "reversibility": 2, "security": 1}) == "low"  # total 9
    policy_services.update_setting(key="test_requirements",
                                   value={**SHIPPED["test_requirements"], "low": ["unit", "uat"]}, actor=admin_user)
    assert policy.get("test_requirements")["low"] == ["unit", "uat"]


@pytest.mark.django_db
def test_the_admin_refuses_an_unknown_approval_role_and_keeps_the_matrix(client, admin_user):
    admin_user.is_staff = True
    admin_user.save()
    client.force_login(admin_user)
    setting = PolicySetting.objects.get(key="approval_matrix")
    value = {**SHIPPED["approval_matrix"], "low": ["peer", "qa"]}
    response = client.post(f"{ADMIN_POLICY}{setting.pk}/change/", {"value": json.dumps(value)},
                           follow=True)
    assert "approval_matrix.low: &#x27;qa&#x27; is not a known approval role" in response.content.decode()
    setting.refresh_from_db()
    assert setting.value == SHIPPED["approval_matrix"]


def test_vocabularies_handed_in_by_the_apps_match_what_they_can_record():
    assert policy_schema.vocabulary("test_types") == set(RecordableTestType.values)
    assert policy_schema.vocabulary("slot_roles") == set(SlotRole.values)
    assert policy_schema.vocabulary("emergency_roles") == set(EmergencyRole.values)


@pytest.mark.django_db
def test_a_database_from_before_the_cab_review_keys_gets_them_and_keeps_its_edits():
    old = {k: v for k, v in SHIPPED["cab"].items() if k not in ("review_risks", "agenda_lookback_days")}
    PolicySetting.objects.filter(key="cab").update(value={**old, "weekday": "thu"})
    PolicySetting.objects.filter(key="emergency_authorization").delete()
    PolicySetting.objects.filter(key="emergency_rate_target_percent").update(value={"target": 4, "tolerated": 10})
    import_module("changemgmt.migrations.0014_emergency_rate_period_policy").backfill_policy(apps, None)
    cab = PolicySetting.objects.get(key="cab").value
    assert cab["weekday"] == "thu" and cab["review_risks"] == ["high", "critical"] and cab["agenda_lookback_days"] == 7
    assert PolicySetting.objects.get(key="emergency_authorization").value == SHIPPED["emergency_authorization"]
    assert PolicySetting.objects.get(key="emergency_rate_target_percent").value == {
        "target": 4, "tolerated": 10, "period_days": 30}


# --- property: whatever is accepted, the engine still works ----------------------------------------------------

LEVEL_CHOICES = st.sampled_from(RISK_LEVELS + ["severe"])
SLOT_CHOICES = st.sampled_from(sorted(SlotRole.values) + ["qa", "peer_reviewer"])
TEST_CHOICES = st.sampled_from(sorted(RecordableTestType.values) + ["smoke"])
BAND = st.fixed_dictionaries({"level": LEVEL_CHOICES, "min": st.integers(3, 16), "max": st.integers(3, 16)})


def per_level(codes):
    return st.fixed_dictionaries({level: st.lists(codes, max_size=5) for level in RISK_LEVELS})


def contiguous_bands():
    """Bands that split 5..15 at random points: the edits an administrator would mean to make."""
    return st.lists(st.integers(6, 15), max_size=3, unique=True).map(sorted).map(
        lambda cuts: bands(*[(RISK_LEVELS[i], low, high) for i, (low, high) in
                             enumerate(zip([5] + cuts, [c - 1 for c in cuts] + [15], strict=True))]))


EDITS = st.one_of(
    st.tuples(st.just("risk_bands"), st.lists(BAND, max_size=4) | contiguous_bands()),
    st.tuples(st.just("approval_matrix"), per_level(SLOT_CHOICES)),
    st.tuples(st.just("test_requirements"), per_level(TEST_CHOICES)),
    st.tuples(st.just("cab"), st.lists(LEVEL_CHOICES, max_size=4).map(
        lambda levels: {**SHIPPED["cab"], "review_risks": levels})),
    st.tuples(st.just("emergency_authorization"), st.fixed_dictionaries({
        "alone": st.lists(st.sampled_from(["cto", "ciso", "manager", "cfo"]), max_size=3),
        "pair": st.lists(st.sampled_from(["manager", "security", "dba"]), max_size=3),
        "max_backdate_hours": st.integers(0, 48)})),
)


def scorecards_totalling(total):
    """One scorecard (five factors 1-3) for the given total."""
    scores, left = [], total
    for remaining in range(4, -1, -1):
        score = max(1, min(3, left - remaining))
        scores.append(score)
        left -= score
    return dict(zip(risk.FACTORS, scores, strict=True))


def assert_engine_works(values):
    with mock.patch.object(policy, "all_values", lambda: values):
        for total in range(5, 16):
            assert risk.band(scorecards_totalling(total)) in RISK_LEVELS
        for level, category in product(RISK_LEVELS, Category.values):
            for spec in matrix.required_slots(risk_level=level, category=category, security_triggers=["crypto"]):
                assert spec.role in SlotRole.values
        for level in RISK_LEVELS:
            assert set(values["test_requirements"][level]) <= set(RecordableTestType.values)
            if "cab" in values["approval_matrix"][level]:
                assert level in values["cab"]["review_risks"]
        authorization = values["emergency_authorization"]
        assert set(authorization["alone"] + authorization["pair"]) <= set(EmergencyRole.values)
        assert authorization["alone"] or authorization["pair"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits=st.lists(EDITS, min_size=1, max_size=4))
def test_every_accepted_sequence_of_edits_leaves_the_engine_working(edits):
    values = copy.deepcopy(SHIPPED)
    for key, value in edits:
        candidate = {**values, key: value}
        try:
            policy_schema.validate(key, value, candidate)
        except ValidationError:
            continue
        values = candidate
        assert_engine_works(values)
