"""Who may do what on the board: the one predicate module. Services enforce these; templates and
the API use them to show only the buttons a user may press.

Board membership is a BoardMember row (a seat, as principal or deputy), read once per user object.
Chairing needs a chair seat; deciding a CAB approval additionally needs the cab_chair role, which
approvals.services.decide checks.
"""
from cab.choices import Seat
from changemgmt.roles import Role, has_role, is_member


def seats_of(user) -> list:
    """The user's active seats (BoardMember rows), cached on the user object."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_cab_seats", None)
    if cached is None:
        from cab.models import BoardMember

        cached = list(BoardMember.objects.filter(user=user, active=True))
        user._cab_seats = cached
    return cached


AUDITORS_NEVER = "Auditors read the board's records; they never vote, decide, chair or edit."


def is_auditor(user) -> bool:
    """Auditors never write, whatever seat or other role they also hold [issue 9 §2]."""
    return has_role(user, Role.AUDITOR)


def is_board_member(user) -> bool:
    return bool(seats_of(user))


def can_chair(user) -> bool:
    if is_auditor(user):
        return False
    return any(seat.seat == Seat.CHAIR for seat in seats_of(user)) or has_role(user, Role.ADMINISTRATOR)


def action_status_refusal(user, action) -> str | None:
    """Why `user` may not change the status of `action` (None: they may): its owner or the chair."""
    if is_auditor(user):
        return AUDITORS_NEVER
    if not (user.pk == action.owner_id or can_chair(user)):
        return "Only the owner or the chair may update an action item."
    return None


def can_view(user) -> bool:
    """Every role may read meetings and minutes (auditors included); no role, no access."""
    return is_member(user)


def is_recused(user, change) -> bool:
    return change is not None and user.pk in (change.requester_id, change.owner_id)


def vote_refusal(user, item) -> str | None:
    """Why `user` may not vote on `item` now (None: they may). Decided/closed checks are the
    service's (they need the row lock)."""
    if not is_board_member(user):
        return "Only members of the Change Advisory Board may vote."
    if is_auditor(user):
        return AUDITORS_NEVER
    if not item.needs_decision:
        return "This agenda item is for information; it takes no vote."
    if is_recused(user, item.change):
        return "You are the author or owner of this change and are recused from its item."
    return None


def hasattr_decision(item) -> bool:
    from cab.models import Decision

    try:
        return item.decision is not None
    except Decision.DoesNotExist:
        return False


def retire_refusal(user, member) -> str | None:
    """Why `user` may not retire the board seat `member` (None: they may). As with appointing: an
    administrator retires anyone; the chair retires the other seats, not a chair seat."""
    if is_auditor(user):
        return AUDITORS_NEVER
    if has_role(user, Role.ADMINISTRATOR):
        return None
    if member.seat != Seat.CHAIR and can_chair(user):
        return None
    return "Only an administrator retires a chair; the chair retires the other seats."


def can_edit_agenda(user, meeting) -> bool:
    return can_chair(user) and meeting.status == "scheduled"


def is_recused_id(user_id, change) -> bool:
    return change is not None and user_id in (change.requester_id, change.owner_id)
