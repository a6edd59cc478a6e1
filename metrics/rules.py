"""Who may read the metrics (page, CSV, API) and receives the monthly report: administrators, auditors,
managers and the heads (CTO, CISO); everyone else is refused."""
from changemgmt.roles import Role, has_role

METRICS_ROLES = (Role.ADMINISTRATOR, Role.AUDITOR, Role.MANAGER, Role.CTO, Role.CISO)
REFUSAL = "Only administrators, auditors, managers, the CTO and the CISO may read the metrics."


def may_read_metrics(user) -> bool:
    return has_role(user, *METRICS_ROLES)
