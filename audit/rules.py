"""Who may use the audit workspace: auditors and administrators, everyone else is refused."""
from changemgmt.roles import Role, has_role


def may_audit(user) -> bool:
    return has_role(user, Role.AUDITOR, Role.ADMINISTRATOR)
