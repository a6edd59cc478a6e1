"""What a policy value must mean before `policy_services.update_setting` stores it.

Two layers, each refusing with a message that names the key (and the entry) and the rule:
1. shape: the value has the JSON shape of the shipped default (types, and the keys of tables);
2. meaning: the rules the engine relies on (every risk total 5-15 falls in exactly one band, every slot
   in the approval matrix is a role the approvals app knows, every required test type can be recorded,
   durations are not negative, ...). A rule may read several keys; an edit runs every rule that reads
   the edited key, against the policy as it would be after the edit.

The kernel must not import the apps above it, so the vocabularies that belong to them (approval slot
roles, emergency authorizer roles, recordable test types) are handed in by those apps at start-up with
`register_vocabulary` (their AppConfig.ready).
"""
import re
from collections.abc import Callable
from datetime import date

import holidays
from django.core.exceptions import ImproperlyConfigured, ValidationError

from changemgmt.policy_defaults import DEFAULTS, RISK_LEVELS
from changemgmt.roles import Role

SCORE_TOTALS = (5, 15)  # five factors scored 1-3 [POLICY §2]
FACTOR_SCORES = (1, 3)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
FREEZE_KINDS = ("hard", "soft")
CODE = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
EXTENSION = re.compile(r"^\.[a-z0-9]{1,10}$")
CONTENT_TYPE = re.compile(r"^[a-z]+/[a-z0-9.+-]+$")

_vocabularies: dict[str, frozenset[str]] = {}


def register_vocabulary(name: str, codes) -> None:
    """An app declares the codes it can handle, e.g. ("test_types", TestType.values)."""
    _vocabularies[name] = frozenset(codes)


def vocabulary(name: str) -> frozenset[str]:
    if name == "user_roles":
        return frozenset(Role.values)
    if name not in _vocabularies:
        raise ImproperlyConfigured(f"No app registered the policy vocabulary {name!r}")
    return _vocabularies[name]


def validate(key: str, value, values: dict) -> None:
    """Refuse `value` for `key` (ValidationError on "value", one message per broken rule). `values` is
    the whole policy with the edit applied."""
    if key not in DEFAULTS:
        raise ValidationError({"key": f"Unknown policy setting {key!r}"})
    problems = _Problems()
    validate_shape(key, value)
    for reads, rule in RULES:
        if key in reads:
            rule(problems, values)
    if problems.messages:
        raise ValidationError({"value": problems.messages})


def validate_shape(key: str, value, default=None, path: str = "") -> None:
    """Refuse a value whose JSON shape differs from the default's (types, and keys of tables)."""
    if default is None and not path:
        default = DEFAULTS[key][0]
    where = f"{key}{path}"
    if isinstance(default, bool) or isinstance(value, bool):
        if type(value) is not type(default):
            raise ValidationError({"value": f"{where} must be {type(default).__name__}"})
        return
    if isinstance(default, (int, float)):
        if not isinstance(value, (int, float)) or value < 0:
            raise ValidationError({"value": f"{where} must be a number of zero or more"})
        if isinstance(default, int) and not isinstance(value, int) and not float(value).is_integer():
            raise ValidationError({"value": f"{where} must be a whole number"})
        return
    if isinstance(default, str):
        if not isinstance(value, str):
            raise ValidationError({"value": f"{where} must be text"})
        return
    if isinstance(default, dict):
        if not isinstance(value, dict):
            raise ValidationError({"value": f"{where} must be a table (JSON object)"})
        if set(value) != set(default):
            missing = sorted(set(default) - set(value))
            extra = sorted(set(value) - set(default))
            raise ValidationError({"value": f"{where} must have exactly the keys {sorted(default)}"
                                   f" (missing {missing}, unknown {extra})"})
        for sub_key, sub_default in default.items():
            validate_shape(key, value[sub_key], sub_default, f"{path}.{sub_key}")
        return
    if isinstance(default, list):
        if not isinstance(value, list):
            raise ValidationError({"value": f"{where} must be a list"})
        if default:
            for index, item in enumerate(value):
                validate_shape(key, item, default[0], f"{path}[{index}]")


class _Problems:
    def __init__(self):
        self.messages: list[str] = []

    def add(self, where: str, rule: str) -> None:
        self.messages.append(f"{where}: {rule}")

    def codes(self, where: str, codes, known, what: str, *, non_empty: bool = False) -> None:
        """`codes` are distinct members of `known`."""
        unknown = [code for code in codes if code not in known]
        if unknown:
            self.add(where, f"{', '.join(map(repr, unknown))} is not a known {what} "
                     f"(known: {', '.join(sorted(known))})")
        if len(set(codes)) != len(codes):
            self.add(where, f"each {what} may be named only once")
        if non_empty and not codes:
            self.add(where, f"name at least one {what}")

    def at_least(self, where: str, number, minimum, *, above: bool = False) -> None:
        if number < minimum or (above and number == minimum):
            self.add(where, f"must be {'more than' if above else 'at least'} {minimum}")

    def clock(self, where: str, text: str) -> bool:
        if not CLOCK.match(text):
            self.add(where, f"{text!r} is not a time of day HH:MM (00:00-23:59)")
            return False
        return True

    def period(self, where: str, start: str, end: str) -> None:
        if self.clock(f"{where}.start", start) and self.clock(f"{where}.end", end) and start >= end:
            self.add(where, f"must end after it starts ({start}-{end})")


# --- the rules, one function per key (or group of keys read together) ---------------------------------

def _risk_bands(p: _Problems, v: dict) -> None:
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


def _risk_critical_factors(p: _Problems, v: dict) -> None:
    for factor, threshold in v["risk_critical_factors"].items():
        if not FACTOR_SCORES[0] <= threshold <= FACTOR_SCORES[1]:
            p.add(f"risk_critical_factors.{factor}", f"must be a factor score {FACTOR_SCORES[0]}-{FACTOR_SCORES[1]}")


def _levels_table(key: str, vocabulary_name: str, what: str, *, non_empty: bool = False):
    def rule(p: _Problems, v: dict) -> None:
        for level, codes in v[key].items():
            p.codes(f"{key}.{level}", codes, vocabulary(vocabulary_name), what, non_empty=non_empty)
    return rule


def _category_reviewers(p: _Problems, v: dict) -> None:
    for category, rule in v["category_reviewers"].items():
        p.at_least(f"category_reviewers.{category}.count", rule["count"], 1)
        p.codes(f"category_reviewers.{category}.including", [rule["including"]], vocabulary("slot_roles"),
                "approval role")


def _code_list(key: str, *, non_empty: bool = False):
    """Lists of {code, label}: codes are distinct identifiers, labels are not blank."""
    def rule(p: _Problems, v: dict) -> None:
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
    def rule(p: _Problems, v: dict) -> None:
        for name, number in v[key].items():
            p.at_least(f"{key}.{name}", number, 0, above=True)
    return rule


def _sla_reminder_percents(p: _Problems, v: dict) -> None:
    percents = v["sla_reminder_percents"]
    for index, percent in enumerate(percents):
        if not 0 < percent <= 100 or not float(percent).is_integer():
            p.add(f"sla_reminder_percents[{index}]", "must be a whole percentage 1-100")
    if len({int(x) for x in percents}) != len(percents):
        p.add("sla_reminder_percents", "each percentage may appear only once")


def _sla_escalation_percents(p: _Problems, v: dict) -> None:
    escalation = v["sla_escalation_percents"]
    p.at_least("sla_escalation_percents.manager", escalation["manager"], 0, above=True)
    if escalation["cab_chair"] < escalation["manager"]:
        p.add("sla_escalation_percents.cab_chair", "must not come before the escalation to the managers")


def _deployment_windows(p: _Problems, v: dict) -> None:
    for day, windows in v["deployment_windows"].items():
        for index, window in enumerate(windows):
            where = f"deployment_windows.{day}[{index}]"
            p.period(where, window["start"], window["end"])
            p.codes(f"{where}.risks", window["risks"], RISK_LEVELS, "risk level", non_empty=True)


def _rollback_decision(p: _Problems, v: dict) -> None:
    for level, rule in v["rollback_decision"].items():
        if not rule["who"].strip():
            p.add(f"rollback_decision.{level}.who", "must not be blank")
        p.at_least(f"rollback_decision.{level}.minutes", rule["minutes"], 0, above=True)


def _business_calendar(p: _Problems, v: dict) -> None:
    calendar = v["business_calendar"]
    _country(p, "business_calendar", calendar["country"], calendar["subdivision"])
    for index, text in enumerate(calendar["extra_closed_days"]):
        try:
            date.fromisoformat(text)
        except ValueError:
            p.add(f"business_calendar.extra_closed_days[{index}]", f"{text!r} is not a date YYYY-MM-DD")
    p.period("business_calendar.business_hours", calendar["business_hours"]["start"],
             calendar["business_hours"]["end"])


def _country(p: _Problems, where: str, country: str, subdivision: str) -> None:
    try:
        holidays.country_holidays(country, subdiv=subdivision or None)
    except (NotImplementedError, KeyError, ValueError):
        p.add(where, f"{country!r}/{subdivision!r} is not a country (and subdivision) the holidays package knows")


def _emergency_hours(p: _Problems, v: dict) -> None:
    deadline = v["emergency_paperwork_hours"]
    p.at_least("emergency_paperwork_hours", deadline, 0, above=True)
    reminders = v["emergency_reminder_hours"]
    for index, hours in enumerate(reminders):
        if not 0 < hours < deadline:
            p.add(f"emergency_reminder_hours[{index}]", f"must fall between the deployment and the {deadline} h "
                  "deadline (emergency_paperwork_hours)")
    if len(set(reminders)) != len(reminders):
        p.add("emergency_reminder_hours", "each reminder may appear only once")


def _emergency_rate(p: _Problems, v: dict) -> None:
    rate = v["emergency_rate_target_percent"]
    if not rate["target"] <= rate["tolerated"] <= 100:
        p.add("emergency_rate_target_percent", "needs target <= tolerated <= 100")
    p.at_least("emergency_rate_target_percent.period_days", rate["period_days"], 1)


def _freeze_rules(p: _Problems, v: dict) -> None:
    rules = v["freeze_rules"]
    for name in ("end_of_month", "end_of_quarter"):
        if not 1 <= rules[name]["days"] <= 28:
            p.add(f"freeze_rules.{name}.days", "must be 1-28 (whole days at the end of the month)")
    for name, rule in rules.items():
        if rule["kind"] not in FREEZE_KINDS:
            p.add(f"freeze_rules.{name}.kind", f"must be one of {', '.join(FREEZE_KINDS)}")
    holidays_rule = rules["public_holidays"]
    _country(p, "freeze_rules.public_holidays", holidays_rule["country"], holidays_rule["subdivision"])


def _slot_search(p: _Problems, v: dict) -> None:
    for name, number in v["slot_search"].items():
        p.at_least(f"slot_search.{name}", number, 1)


def _cab(p: _Problems, v: dict) -> None:
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


def _cab_reviews_every_cab_slot(p: _Problems, v: dict) -> None:
    """A CAB slot is decided only in a CAB meeting, whose agenda lists the `review_risks` levels."""
    missing = [level for level, roles in v["approval_matrix"].items()
               if "cab" in roles and level not in v["cab"]["review_risks"]]
    if missing:
        p.add("cab.review_risks", f"must include {', '.join(missing)}: the approval matrix asks the CAB to "
              "approve that level, and the CAB decides only what its agenda lists")


def _emergency_authorization(p: _Problems, v: dict) -> None:
    rule = v["emergency_authorization"]
    known = vocabulary("emergency_roles") & vocabulary("user_roles")
    p.codes("emergency_authorization.alone", rule["alone"], known, "authorizer role")
    p.codes("emergency_authorization.pair", rule["pair"], known, "authorizer role")
    if not rule["alone"] and not rule["pair"]:
        p.add("emergency_authorization", "someone must be able to authorize: name alone or pair roles")
    if set(rule["alone"]) & set(rule["pair"]):
        p.add("emergency_authorization", "a role is either alone or part of the pair, not both")


def _soft_freeze_extra_approval(p: _Problems, v: dict) -> None:
    p.codes("soft_freeze_extra_approval.role", [v["soft_freeze_extra_approval"]["role"]], vocabulary("slot_roles"),
            "approval role")


def _pipeline_rollout_stages(p: _Problems, v: dict) -> None:
    """Whole percentages, rising, ending at full traffic: a rollout that never reaches 100 % never ends."""
    stages = v["pipeline_rollout_stages"]
    if not stages or stages[-1] != 100:
        p.add("pipeline_rollout_stages", "must end with 100 (the whole traffic)")
    if any(not float(x).is_integer() or not 0 < x <= 100 for x in stages):
        p.add("pipeline_rollout_stages", "each stage must be a whole percentage 1-100")
    if any(b <= a for a, b in zip(stages, stages[1:], strict=False)):
        p.add("pipeline_rollout_stages", "stages must rise strictly")


def _pipeline_health_budgets(p: _Problems, v: dict) -> None:
    """A warning comes before the rollback: each measure's warning value is below its critical one."""
    for name, budget in v["pipeline_health_budgets"].items():
        p.at_least(f"pipeline_health_budgets.{name}.warning", budget["warning"], 0)
        if budget["critical"] <= budget["warning"]:
            p.add(f"pipeline_health_budgets.{name}", "critical must be above warning")


def _webhooks(p: _Problems, v: dict) -> None:
    p.at_least("webhooks.disable_after_days", v["webhooks"]["disable_after_days"], 1)


def _attachments(p: _Problems, v: dict) -> None:
    """A size of at least 1 MB; each type a distinct lower-case extension with a type/subtype content type."""
    p.at_least("attachments.max_size_mb", v["attachments"]["max_size_mb"], 1)
    extensions = [entry["extension"] for entry in v["attachments"]["types"]]
    for index, entry in enumerate(v["attachments"]["types"]):
        if not EXTENSION.match(entry["extension"]):
            p.add(f"attachments.types[{index}].extension", f"{entry['extension']!r} is not a lower-case extension "
                  "such as .pdf")
        if not CONTENT_TYPE.match(entry["content_type"]):
            p.add(f"attachments.types[{index}].content_type", f"{entry['content_type']!r} is not a content type "
                  "such as application/pdf")
    if len(set(extensions)) != len(extensions):
        p.add("attachments.types", "each extension may be listed only once")


def _pir_follow_up_hours(p: _Problems, v: dict) -> None:
    hours = v["pir_follow_up_hours"]
    p.at_least("pir_follow_up_hours.day", hours["day"], 1)
    if hours["week"] <= hours["day"]:
        p.add("pir_follow_up_hours.week", "must come after the day follow-up")


# (keys read, rule): an edit of any key a rule reads runs that rule. A key with no rule here needs only its
# shape, which already refuses negative numbers and fractions where the default is whole (lead_time_hours,
# monitoring_minutes, retention_years, ...).
RULES: list[tuple[tuple[str, ...], Callable[[_Problems, dict], None]]] = [
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
    (("pipeline_rollout_stages",), _pipeline_rollout_stages),
    (("pipeline_health_budgets",), _pipeline_health_budgets),
    (("webhooks",), _webhooks),
    (("attachments",), _attachments),
    (("pir_follow_up_hours",), _pir_follow_up_hours),
]
