"""Recording and revoking a delegation while away (every door calls these; each appends its ledger entry)."""
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from approvals.choices import SLOT_HOLDERS
from approvals.delegation import may_revoke, today
from approvals.models import Delegation
from changemgmt import ledger
from changemgmt.errors import Conflict
from changemgmt.roles import Role, has_role, roles_of


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
