"""Who may edit the calendar's policy data: deployment windows and freezes (announce and lift).
Services enforce these; pages and the API use them to show only what a user may do. Reading the
calendar needs any role."""
from changemgmt.roles import Role, has_role, is_member

WINDOW_EDITORS = (Role.ADMINISTRATOR, Role.CAB_CHAIR)
FREEZE_EDITORS = (Role.ADMINISTRATOR, Role.CAB_CHAIR, Role.OPERATIONS, Role.MANAGER)


def can_view_calendar(user) -> bool:
    return is_member(user)


def can_edit_windows(user) -> bool:
    return has_role(user, *WINDOW_EDITORS)


def can_announce_freeze(user) -> bool:
    return has_role(user, *FREEZE_EDITORS)


def can_lift_freeze(user) -> bool:
    """Those who may announce a freeze may lift one: the same decision, taken back."""
    return has_role(user, *FREEZE_EDITORS)
