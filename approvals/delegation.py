"""Delegation while away: whose approval roles a person may use today, and recording a delegation."""
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from approvals.choices import SLOT_HOLDERS
from approvals.models import Delegation
from changemgmt import clock, ledger
from changemgmt.errors import Conflict
from changemgmt.roles import Role, has_role, roles_of


def today() -> date:
    return clock.local(timezone.now()).date()


def active_delegators(user, on: date | None = None) -> list:
    """People who delegated their approvals to `user` for `on` (default: today), not revoked."""
    on = on or today()
    rows = (Delegation.objects.filter(delegate=user, revoked_at__isnull=True, starts_on__lte=on, ends_on__gte=on)
            .select_related("delegator").prefetch_related("delegator__groups").order_by("starts_on", "id"))
    return [row.delegator for row in rows if row.delegator.is_active]


def acting_for(user, slot, delegators=None):
    """The delegator whose role lets `user` decide `slot`, or None (the user holds it themselves, or
    nobody delegated a fitting role)."""
    if roles_of(user) & set(SLOT_HOLDERS[slot.role]):
        return None
    for delegator in delegators if delegators is not None else active_delegators(user):
        if {g.name for g in delegator.groups.all()} & set(SLOT_HOLDERS[slot.role]):
            return delegator
    return None


def create_delegation(*, actor, delegate, starts_on: date, ends_on: date, reason: str = "") -> Delegation:
    """`actor` hands their approval roles to `delegate` for the dates (inclusive)."""
    errors = {}
    if delegate.pk == actor.pk:
        errors["delegate"] = "Choose someone other than yourself."
    if ends_on < starts_on:
        errors["ends_on"] = "The last day must not be before the first."
    if ends_on < today():
        errors["ends_on"] = "The period is already over."
    if has_role(delegate, Role.AUDITOR):
        errors["delegate"] = "Auditors never decide approvals: choose someone who is not an auditor."
    if errors:
        raise ValidationError(errors)
    if not any(roles_of(actor) & set(holders) for holders in SLOT_HOLDERS.values()):
        raise PermissionDenied("You hold no approval role to delegate.")
    with transaction.atomic():
        row = Delegation.objects.create(delegator=actor, delegate=delegate, starts_on=starts_on, ends_on=ends_on,
                                        reason=reason.strip()[:200])
        ledger.append(actor=actor, action="approvals.delegated", subject=row, payload={
            "delegate": delegate.username, "starts_on": starts_on, "ends_on": ends_on, "reason": row.reason})
    return row


def may_revoke(user, row: Delegation) -> bool:
    """The delegator ends their own delegation; an administrator may end anyone's. Never an auditor."""
    if has_role(user, Role.AUDITOR):
        return False
    return user.pk == row.delegator_id or has_role(user, Role.ADMINISTRATOR)


def revoke_delegation(*, actor, delegation_id: int) -> Delegation:
    """End a delegation now (the delegator is back early, or chose the wrong colleague): from this moment
    the delegate no longer decides in the delegator's roles. Decisions already made keep their record."""
    with transaction.atomic():
        row = Delegation.objects.select_for_update().select_related("delegate").filter(pk=delegation_id).first()
        if row is None:
            raise Delegation.DoesNotExist(f"No delegation {delegation_id}")
        if not may_revoke(actor, row):
            raise PermissionDenied("Only the person who delegated (or an administrator) may revoke a delegation.")
        if row.revoked_at is not None:
            raise Conflict("This delegation is already revoked.")
        if row.ends_on < today():
            raise Conflict("This delegation is already over.")
        row.revoked_at = timezone.now()
        row.save(update_fields=["revoked_at"])
        ledger.append(actor=actor, action="approvals.delegation_revoked", subject=row, payload={
            "delegator": row.delegator.username, "delegate": row.delegate.username, "starts_on": row.starts_on,
            "ends_on": row.ends_on})
    return row


def given_by(user):
    """The delegations `user` gave that are not over or revoked, soonest first (the queue page lists them)."""
    return (Delegation.objects.filter(delegator=user, revoked_at__isnull=True, ends_on__gte=today())
            .select_related("delegate").order_by("starts_on", "id"))


def overlapping(user, on: date):
    return Delegation.objects.filter(Q(delegator=user) | Q(delegate=user), revoked_at__isnull=True,
                                     starts_on__lte=on, ends_on__gte=on)
