"""Who uses the policy pack page and imports: administrators (as in the admin's policy settings)."""
from changemgmt.roles import Role, has_role


def may_manage_policy(user) -> bool:
    return has_role(user, Role.ADMINISTRATOR) and not has_role(user, Role.AUDITOR)
