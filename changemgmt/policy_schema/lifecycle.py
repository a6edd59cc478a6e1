"""The policy schema's rules for the keys of the change's life cycle (issues 1-9, policy_defaults.lifecycle):
risk bands, approvals, gates, windows, rollback, business time, freezes, the CAB, emergency authorization."""
from collections.abc import Callable
from datetime import date

import holidays

from changemgmt.policy_defaults import RISK_LEVELS
from changemgmt.policy_schema.checks import (
    CODE,
    FACTOR_SCORES,
    FREEZE_KINDS,
    SCORE_TOTALS,
    WEEKDAYS,
    Problems,
    vocabulary,
)

# --- the rules, one function per key (or group of keys read together) ---------------------------------

def _risk_bands(p: Problems, v: dict) -> None:
    bands = v["risk_bands"]
    p.codes("risk_bands", [band["level"] for band in bands], RISK_LEVELS, "risk level", non_empty=True)
    low, high = SCORE_TOTALS
    expected = low
    for band in sorted(bands, key=lambda b: b["min"]):
        where = f"risk_bands[{band['level']}]"
        if band["min"] > band["max"]:
            p.add(where, f"min {band['min']} is above max {band['max']}")
        if band["min"] != expected:
            p.add("risk_bands", f"the bands must cover every total {low}-{high} once, in order: "
                  f"{'a gap' if band['min'] > expected else 'an overlap'} at {expected}")
            return
        expected = band["max"] + 1
    if expected != high + 1:
        p.add("risk_bands", f"the bands must cover every total {low}-{high} once: they end at {expected - 1}")
        return
    ordered = sorted(bands, key=lambda b: b["min"])
    ranks = [RISK_LEVELS.index(band["level"]) for band in ordered if band["level"] in RISK_LEVELS]
    if ranks != sorted(ranks):
        p.add("risk_bands", "a higher total must never give a lower risk level (low, medium, high, critical)")


def _risk_critical_factors(p: Problems, v: dict) -> None:
    for factor, threshold in v["risk_critical_factors"].items():
        if not FACTOR_SCORES[0] <= threshold <= FACTOR_SCORES[1]:
            p.add(f"risk_critical_factors.{factor}", f"must be a factor score {FACTOR_SCORES[0]}-{FACTOR_SCORES[1]}")


def _levels_table(key: str, vocabulary_name: str, what: str, *, non_empty: bool = False):
    def rule(p: Problems, v: dict) -> None:
        for level, codes in v[key].items():
            p.codes(f"{key}.{level}", codes, vocabulary(vocabulary_name), what, non_empty=non_empty)
    return rule


def _category_reviewers(p: Problems, v: dict) -> None:
    for category, rule in v["category_reviewers"].items():
        p.at_least(f"category_reviewers.{category}.count", rule["count"], 1)
        p.codes(f"category_reviewers.{category}.including", [rule["including"]], vocabulary("slot_roles"),
                "approval role")


def _code_list(key: str, *, non_empty: bool = False):
    """Lists of {code, label}: codes are distinct identifiers, labels are not blank."""
    def rule(p: Problems, v: dict) -> None:
        codes = [item["code"] for item in v[key]]
        for index, item in enumerate(v[key]):
            if not CODE.match(item["code"]):
                p.add(f"{key}[{index}].code", f"{item['code']!r} must be lower-case letters, digits and _ "
                      "(starting with a letter, at most 50)")
            if not item["label"].strip():
                p.add(f"{key}[{index}].label", "must not be blank")
        if len(set(codes)) != len(codes):
            p.add(key, "each code may appear only once")
        if non_empty and not codes:
            p.add(key, "name at least one entry")
    return rule


def _positive_table(key: str):
    def rule(p: Problems, v: dict) -> None:
        for name, number in v[key].items():
            p.at_least(f"{key}.{name}", number, 0, above=True)
    return rule


def _sla_reminder_percents(p: Problems, v: dict) -> None:
    percents = v["sla_reminder_percents"]
    for index, percent in enumerate(percents):
        if not 0 < percent <= 100 or not float(percent).is_integer():
            p.add(f"sla_reminder_percents[{index}]", "must be a whole percentage 1-100")
    if len({int(x) for x in percents}) != len(percents):
        p.add("sla_reminder_percents", "each percentage may appear only once")


def _sla_escalation_percents(p: Problems, v: dict) -> None:
    escalation = v["sla_escalation_percents"]
    p.at_least("sla_escalation_percents.manager", escalation["manager"], 0, above=True)
    if escalation["cab_chair"] < escalation["manager"]:
        p.add("sla_escalation_percents.cab_chair", "must not come before the escalation to the managers")


def _deployment_windows(p: Problems, v: dict) -> None:
    for day, windows in v["deployment_windows"].items():
        for index, window in enumerate(windows):
            where = f"deployment_windows.{day}[{index}]"
            p.period(where, window["start"], window["end"])
            p.codes(f"{where}.risks", window["risks"], RISK_LEVELS, "risk level", non_empty=True)


def _rollback_decision(p: Problems, v: dict) -> None:
    for level, rule in v["rollback_decision"].items():
        if not rule["who"].strip():
            p.add(f"rollback_decision.{level}.who", "must not be blank")
        p.at_least(f"rollback_decision.{level}.minutes", rule["minutes"], 0, above=True)


def _business_calendar(p: Problems, v: dict) -> None:
    calendar = v["business_calendar"]
    _country(p, "business_calendar", calendar["country"], calendar["subdivision"])
    for index, text in enumerate(calendar["extra_closed_days"]):
        try:
            date.fromisoformat(text)
        except ValueError:
            p.add(f"business_calendar.extra_closed_days[{index}]", f"{text!r} is not a date YYYY-MM-DD")
    p.period("business_calendar.business_hours", calendar["business_hours"]["start"],
             calendar["business_hours"]["end"])


def _country(p: Problems, where: str, country: str, subdivision: str) -> None:
    try:
        holidays.country_holidays(country, subdiv=subdivision or None)
    except (NotImplementedError, KeyError, ValueError):
        p.add(where, f"{country!r}/{subdivision!r} is not a country (and subdivision) the holidays package knows")


def _emergency_hours(p: Problems, v: dict) -> None:
    deadline = v["emergency_paperwork_hours"]
    p.at_least("emergency_paperwork_hours", deadline, 0, above=True)
    reminders = v["emergency_reminder_hours"]
    for index, hours in enumerate(reminders):
        if not 0 < hours < deadline:
            p.add(f"emergency_reminder_hours[{index}]", f"must fall between the deployment and the {deadline} h "
                  "deadline (emergency_paperwork_hours)")
    if len(set(reminders)) != len(reminders):
        p.add("emergency_reminder_hours", "each reminder may appear only once")


def _emergency_rate(p: Problems, v: dict) -> None:
    rate = v["emergency_rate_target_percent"]
    if not rate["target"] <= rate["tolerated"] <= 100:
        p.add("emergency_rate_target_percent", "needs target <= tolerated <= 100")
    p.at_least("emergency_rate_target_percent.period_days", rate["period_days"], 1)


def _freeze_rules(p: Problems, v: dict) -> None:
    rules = v["freeze_rules"]
    for name in ("end_of_month", "end_of_quarter"):
        if not 1 <= rules[name]["days"] <= 28:
            p.add(f"freeze_rules.{name}.days", "must be 1-28 (whole days at the end of the month)")
    for name, rule in rules.items():
        if rule["kind"] not in FREEZE_KINDS:
            p.add(f"freeze_rules.{name}.kind", f"must be one of {', '.join(FREEZE_KINDS)}")
    holidays_rule = rules["public_holidays"]
    _country(p, "freeze_rules.public_holidays", holidays_rule["country"], holidays_rule["subdivision"])


def _slot_search(p: Problems, v: dict) -> None:
    for name, number in v["slot_search"].items():
        p.at_least(f"slot_search.{name}", number, 1)


def _cab(p: Problems, v: dict) -> None:
    cab = v["cab"]
    if cab["weekday"] not in WEEKDAYS:
        p.add("cab.weekday", f"must be one of {', '.join(WEEKDAYS)}")
    p.clock("cab.time", cab["time"])
    for name in ("duration_minutes", "emergency_within_hours", "agenda_lookback_days", "calendar_days_ahead",
                 "schedule_weeks_ahead"):
        p.at_least(f"cab.{name}", cab[name], 0, above=True)
    if not 0 < cab["quorum"]["roles_fraction"] <= 1:
        p.add("cab.quorum.roles_fraction", "must be a fraction above 0 and at most 1")
    p.codes("cab.review_risks", cab["review_risks"], RISK_LEVELS, "risk level")


def _cab_reviews_every_cab_slot(p: Problems, v: dict) -> None:
    """A CAB slot is decided only in a CAB meeting, whose agenda lists the `review_risks` levels."""
    missing = [level for level, roles in v["approval_matrix"].items()
               if "cab" in roles and level not in v["cab"]["review_risks"]]
    if missing:
        p.add("cab.review_risks", f"must include {', '.join(missing)}: the approval matrix asks the CAB to "
              "approve that level, and the CAB decides only what its agenda lists")


def _emergency_authorization(p: Problems, v: dict) -> None:
    rule = v["emergency_authorization"]
    known = vocabulary("emergency_roles") & vocabulary("user_roles")
    p.codes("emergency_authorization.alone", rule["alone"], known, "authorizer role")
    p.codes("emergency_authorization.pair", rule["pair"], known, "authorizer role")
    if not rule["alone"] and not rule["pair"]:
        p.add("emergency_authorization", "someone must be able to authorize: name alone or pair roles")
    if set(rule["alone"]) & set(rule["pair"]):
        p.add("emergency_authorization", "a role is either alone or part of the pair, not both")


def _soft_freeze_extra_approval(p: Problems, v: dict) -> None:
    p.codes("soft_freeze_extra_approval.role", [v["soft_freeze_extra_approval"]["role"]], vocabulary("slot_roles"),
            "approval role")


LIFECYCLE_RULES: list[tuple[tuple[str, ...], Callable[[Problems, dict], None]]] = [
    (("risk_bands",), _risk_bands),
    (("risk_critical_factors",), _risk_critical_factors),
    (("approval_matrix",), _levels_table("approval_matrix", "slot_roles", "approval role")),
    (("category_reviewers",), _category_reviewers),
    (("security_triggers",), _code_list("security_triggers")),
    (("sla_business_days",), _positive_table("sla_business_days")),
    (("sla_reminder_percents",), _sla_reminder_percents),
    (("sla_escalation_percents",), _sla_escalation_percents),
    (("test_requirements",), _levels_table("test_requirements", "test_types", "recordable test type")),
    (("test_recommendations",), _levels_table("test_recommendations", "test_types", "recordable test type")),
    (("predeploy_checklist",), _code_list("predeploy_checklist")),
    (("deployment_methods",), _code_list("deployment_methods", non_empty=True)),
    (("deployment_windows",), _deployment_windows),
    (("verification_checks",), _code_list("verification_checks")),
    (("review_items",), _code_list("review_items")),
    (("emergency_criteria",), _code_list("emergency_criteria", non_empty=True)),
    (("rollback_decision",), _rollback_decision),
    (("rollback_triggers",), _code_list("rollback_triggers", non_empty=True)),
    (("business_calendar",), _business_calendar),
    (("emergency_paperwork_hours", "emergency_reminder_hours"), _emergency_hours),
    (("emergency_rate_target_percent",), _emergency_rate),
    (("freeze_rules",), _freeze_rules),
    (("slot_search",), _slot_search),
    (("cab",), _cab),
    (("cab", "approval_matrix"), _cab_reviews_every_cab_slot),
    (("emergency_authorization",), _emergency_authorization),
    (("soft_freeze_extra_approval",), _soft_freeze_extra_approval),
]
