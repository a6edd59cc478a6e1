"""The policy schema's rules for the keys of the integrations and the measures (issues 10-12,
policy_defaults.integrations): the pipeline's rollout and health budgets, webhooks, attachments, the
post-implementation review's follow-ups, and the metrics' targets, windows and calibration."""
from collections.abc import Callable

from changemgmt.policy_defaults import RISK_LEVELS
from changemgmt.policy_schema.checks import CONTENT_TYPE, EXTENSION, Problems

MAX_CACHE_MINUTES = 24 * 60  # numbers older than a day are not the page's numbers any more


def _pipeline_rollout_stages(p: Problems, v: dict) -> None:
    """Whole percentages, rising, ending at full traffic: a rollout that never reaches 100 % never ends."""
    stages = v["pipeline_rollout_stages"]
    if not stages or stages[-1] != 100:
        p.add("pipeline_rollout_stages", "must end with 100 (the whole traffic)")
    if any(not float(x).is_integer() or not 0 < x <= 100 for x in stages):
        p.add("pipeline_rollout_stages", "each stage must be a whole percentage 1-100")
    if any(b <= a for a, b in zip(stages, stages[1:], strict=False)):
        p.add("pipeline_rollout_stages", "stages must rise strictly")


def _pipeline_health_budgets(p: Problems, v: dict) -> None:
    """A warning comes before the rollback: each measure's warning value is below its critical one."""
    for name, budget in v["pipeline_health_budgets"].items():
        p.at_least(f"pipeline_health_budgets.{name}.warning", budget["warning"], 0)
        if budget["critical"] <= budget["warning"]:
            p.add(f"pipeline_health_budgets.{name}", "critical must be above warning")


def _webhooks(p: Problems, v: dict) -> None:
    p.at_least("webhooks.disable_after_days", v["webhooks"]["disable_after_days"], 1)


def _attachments(p: Problems, v: dict) -> None:
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


def _pir_follow_up_hours(p: Problems, v: dict) -> None:
    hours = v["pir_follow_up_hours"]
    p.at_least("pir_follow_up_hours.day", hours["day"], 1)
    if hours["week"] <= hours["day"]:
        p.add("pir_follow_up_hours.week", "must come after the day follow-up")


def _percent(p: Problems, where: str, number) -> None:
    if not 0 <= number <= 100:
        p.add(where, "must be a percentage 0-100")


def _metrics_targets(p: Problems, v: dict) -> None:
    """Rates are percentages; durations and the deployment frequency are more than zero (a target of zero
    could never be met, or would always be)."""
    for name, number in v["metrics_targets"].items():
        if name.endswith("_percent"):
            _percent(p, f"metrics_targets.{name}", number)
        else:
            p.at_least(f"metrics_targets.{name}", number, 0, above=True)


def _metrics_issues_24h(p: Problems, v: dict) -> None:
    """A window after deployment, and a review question the close review really asks."""
    issues = v["metrics_issues_24h"]
    p.at_least("metrics_issues_24h.hours", issues["hours"], 0, above=True)
    codes = [item["code"] for item in v["review_items"]]
    if issues["review_item"] not in codes:
        p.add("metrics_issues_24h.review_item", f"{issues['review_item']!r} is not a review_items code "
              f"(known: {', '.join(codes)})")


def _change_success_score(p: Problems, v: dict) -> None:
    for name, number in v["change_success_score"].items():
        p.at_least(f"change_success_score.{name}", number, 1)


def _metrics_freshness(p: Problems, v: dict) -> None:
    if v["metrics_freshness"]["cache_minutes"] > MAX_CACHE_MINUTES:
        p.add("metrics_freshness.cache_minutes", f"must be at most {MAX_CACHE_MINUTES} (a day)")


def _risk_calibration(p: Problems, v: dict) -> None:
    """Tolerances are percentages that never fall as the risk rises; a flag needs at least one change."""
    tolerated = v["risk_calibration"]["tolerated_failure_percent"]
    for level, number in tolerated.items():
        _percent(p, f"risk_calibration.tolerated_failure_percent.{level}", number)
    ordered = [tolerated[level] for level in RISK_LEVELS if level in tolerated]
    if any(b < a for a, b in zip(ordered, ordered[1:], strict=False)):
        p.add("risk_calibration.tolerated_failure_percent", "a higher risk level must not tolerate less failure "
              f"({', '.join(RISK_LEVELS)})")
    p.at_least("risk_calibration.min_changes", v["risk_calibration"]["min_changes"], 1)


INTEGRATION_RULES: list[tuple[tuple[str, ...], Callable[[Problems, dict], None]]] = [
    (("pipeline_rollout_stages",), _pipeline_rollout_stages),
    (("pipeline_health_budgets",), _pipeline_health_budgets),
    (("webhooks",), _webhooks),
    (("attachments",), _attachments),
    (("pir_follow_up_hours",), _pir_follow_up_hours),
    (("metrics_targets",), _metrics_targets),
    (("metrics_issues_24h", "review_items"), _metrics_issues_24h),
    (("change_success_score",), _change_success_score),
    (("metrics_freshness",), _metrics_freshness),
    (("risk_calibration",), _risk_calibration),
]
