"""Who may place or release a legal hold: administrators and the CISO; never an auditor."""
from changemgmt.roles import Role, roles_of


def may_hold(user) -> bool:
    roles = roles_of(user)
    return Role.AUDITOR not in roles and bool(roles & {Role.ADMINISTRATOR, Role.CISO})
