"""The policy schema's rules for the keys of the integrations and the measures (issues 10-12,
policy_defaults.integrations): the pipeline's rollout and health budgets, webhooks, attachments, the
post-implementation review's follow-ups."""
from collections.abc import Callable

from changemgmt.policy_schema.checks import CONTENT_TYPE, EXTENSION, Problems


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


INTEGRATION_RULES: list[tuple[tuple[str, ...], Callable[[Problems, dict], None]]] = [
    (("pipeline_rollout_stages",), _pipeline_rollout_stages),
    (("pipeline_health_budgets",), _pipeline_health_budgets),
    (("webhooks",), _webhooks),
    (("attachments",), _attachments),
    (("pir_follow_up_hours",), _pir_follow_up_hours),
]
