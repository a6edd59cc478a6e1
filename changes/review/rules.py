"""Who may answer a change's review follow-up: its requester or owner, operations, a manager or an
administrator — never an auditor, whatever else they hold."""
from changemgmt.roles import Role, roles_of

ANSWERING_ROLES = {Role.OPERATIONS, Role.MANAGER, Role.ADMINISTRATOR}


def may_answer(user, change) -> bool:
    roles = roles_of(user)
    if not roles or Role.AUDITOR in roles:
        return False
    return user.pk in (change.requester_id, change.owner_id) or bool(roles & ANSWERING_ROLES)
