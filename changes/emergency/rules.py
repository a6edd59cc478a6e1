"""Who may act on an emergency change: record a verbal authorization, record the root cause.
Whether an authorizer may authorize (role, on call, not the author) is
changes.emergency.authorization.refusals, judged at the time of the go-ahead."""
from changemgmt.roles import Role, roles_of

EMERGENCY = "emergency"
ROLE_HOLDERS = {"manager": Role.MANAGER, "security": Role.SECURITY, "cto": Role.CTO, "ciso": Role.CISO}
RECORDERS = (Role.OPERATIONS, Role.MANAGER, Role.SECURITY, Role.CTO, Role.CISO, Role.ADMINISTRATOR)
ROOT_CAUSE_RECORDERS = {Role.OPERATIONS, Role.MANAGER, Role.CTO, Role.CISO, Role.ADMINISTRATOR}


def may_record(user, change) -> bool:
    """The author or owner (the on-call engineer) or an operations/leadership role; never an auditor."""
    held = roles_of(user)
    if not held or held == {Role.AUDITOR}:
        return False
    return user.pk in (change.requester_id, change.owner_id) or bool(held & set(RECORDERS))


def may_record_root_cause(user, change) -> bool:
    """The author or owner, operations or management; never an auditor."""
    held = roles_of(user)
    if not held or held == {Role.AUDITOR}:
        return False
    return user.pk in (change.requester_id, change.owner_id) or bool(held & ROOT_CAUSE_RECORDERS)
