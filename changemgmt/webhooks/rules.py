"""Who may do what with webhooks: one predicate module, used by the services, the API and the admin."""
from changemgmt.roles import Role, has_role


def can_manage(user) -> bool:
    """Subscriptions send the organisation's events out of the building: administrators only."""
    return has_role(user, Role.ADMINISTRATOR)


def can_read(user) -> bool:
    return has_role(user, Role.ADMINISTRATOR, Role.AUDITOR)
