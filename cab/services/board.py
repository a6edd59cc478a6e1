"""Appointing board members (principals and deputies) to seats."""
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from cab.choices import Seat
from cab.models import BoardMember
from changemgmt import ledger
from changemgmt.errors import Conflict
from changemgmt.roles import Role, has_role


def appoint(*, actor, user, seat: str, deputy: bool = False) -> BoardMember:
    """Give `user` a seat. Only an administrator (or the chair, for seats other than the chair's)."""
    from cab import rules

    if seat not in Seat.values:
        raise ValidationError({"seat": f"Must be one of {', '.join(Seat.values)}."})
    if not (has_role(actor, Role.ADMINISTRATOR) or (rules.can_chair(actor) and seat != Seat.CHAIR)):
        raise PermissionDenied("Only an administrator appoints the chair; the chair appoints other seats.")
    try:
        with transaction.atomic():
            member, created = BoardMember.objects.get_or_create(user=user, seat=seat,
                                                                defaults={"deputy": deputy, "active": True})
            if not created:
                member.deputy, member.active = deputy, True
                member.save(update_fields=["deputy", "active"])
            ledger.append(actor=actor, action="cab.member_appointed", subject=member,
                          payload={"user": user.username, "seat": seat, "deputy": deputy})
    except IntegrityError as exc:
        raise ValidationError({"seat": f"The {Seat(seat).label} seat already has a principal; appoint a "
                                       "deputy or retire the principal first."}) from exc
    user.__dict__.pop("_cab_seats", None)
    return member


def retire(*, actor, member_id: int) -> BoardMember:
    """End a board seat (the member left the board or the seat changes hands): from now on they no longer
    count for quorum nor vote. The row stays (attendance and minutes refer to it); appoint re-activates it.
    From the CAB page's board list (cab.board_pages)."""
    from cab import rules

    with transaction.atomic():
        member = BoardMember.objects.select_for_update().select_related("user").filter(pk=member_id).first()
        if member is None:
            raise BoardMember.DoesNotExist(f"No board member {member_id}")
        refusal = rules.retire_refusal(actor, member)
        if refusal:
            raise PermissionDenied(refusal)
        if not member.active:
            raise Conflict(f"{member.user.username} no longer holds this seat.")
        member.active = False
        member.save(update_fields=["active"])
        ledger.append(actor=actor, action="cab.member_retired", subject=member,
                      payload={"user": member.user.username, "seat": member.seat, "deputy": member.deputy})
    member.user.__dict__.pop("_cab_seats", None)
    return member
