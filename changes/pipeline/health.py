"""A rollout stage's health judged against the policy's budgets (`pipeline_health_budgets`), as a pure
function: above a `critical` value the change rolls back, above a `warning` value the rollout holds."""
from changemgmt import policy
from changemgmt.errors import Missing
from changes.pipeline.choices import Action

REF_HEALTH = "POLICY §10 health budgets [004 §4.6]"
LABELS = {"error_rate_percent": ("Error rate", "%"), "p95_latency_ms": ("p95 latency", " ms"),
          "alert_count": ("Alerts firing", "")}


def judge(measurements: dict) -> tuple[str, list[Missing]]:
    """(action, reasons): roll_back when any measure is above its critical budget, hold when any is
    above its warning budget, else continue. Reasons name each measure over budget."""
    budgets = policy.get("pipeline_health_budgets")
    critical, warning = [], []
    for name, budget in budgets.items():
        value = measurements[name]
        label, unit = LABELS.get(name, (name, ""))
        if value > budget["critical"]:
            critical.append(Missing(f"{name}_critical", f"{label} {value:g}{unit} is above the critical budget "
                                    f"{budget['critical']:g}{unit}.", REF_HEALTH))
        elif value > budget["warning"]:
            warning.append(Missing(f"{name}_warning", f"{label} {value:g}{unit} is above the warning budget "
                                   f"{budget['warning']:g}{unit}.", REF_HEALTH))
    if critical:
        return Action.ROLL_BACK, critical + warning
    if warning:
        return Action.HOLD, warning
    return Action.CONTINUE, []
