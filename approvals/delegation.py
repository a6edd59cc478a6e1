"""Delegation while away: whose approval roles a person may use today, and recording a delegation."""
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from approvals.choices import SLOT_HOLDERS
from approvals.models import Delegation
from changemgmt import clock, ledger
from changemgmt.roles import roles_of


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


def overlapping(user, on: date):
    return Delegation.objects.filter(Q(delegator=user) | Q(delegate=user), revoked_at__isnull=True,
                                     starts_on__lte=on, ends_on__gte=on)
