"""The risk scorecard [POLICY §2]: five factors 1-3, banded by total, high raised to critical."""
from changemgmt import policy
from changes.choices import RISK_ORDER

FACTORS = {
    "systems": ("risk_systems", "Systems affected", ["Single component", "Multiple components",
                                                      "Critical infrastructure"]),
    "users": ("risk_users", "User impact", ["None or minimal", "Some users affected", "All users affected"]),
    "data": ("risk_data", "Data risk", ["No data changes", "Data format changes", "Data migration"]),
    "reversibility": ("risk_reversibility", "Reversibility", ["Easy rollback", "Moderate rollback",
                                                              "Complex or impossible"]),
    "security": ("risk_security", "Security impact", ["No security change", "Minor security change",
                                                      "Security controls affected"]),
}
# Policy names the critical-raising factors by these keys.
POLICY_FACTOR_NAMES = {"data_risk": "data", "security_impact": "security"}


def band(scores: dict[str, int]) -> str:
    """Level for a complete scorecard."""
    total = sum(scores.values())
    level = None
    for entry in policy.get("risk_bands"):
        if entry["min"] <= total <= entry["max"]:
            level = entry["level"]
    if level is None:
        raise ValueError(f"No risk band covers a total of {total}")
    if level == "high":
        for policy_name, threshold in policy.get("risk_critical_factors").items():
            if scores[POLICY_FACTOR_NAMES.get(policy_name, policy_name)] >= threshold:
                return "critical"
    return level


def final_level(computed: str, override: str) -> str:
    if override and RISK_ORDER[override] > RISK_ORDER[computed]:
        return override
    return computed
