"""The on-call roster of emergency authorizers [POLICY §7]: after hours only the people on call may
authorize an emergency change, so every edit of the roster is an administrator's, and audited."""
from django.core.exceptions import PermissionDenied
from django.db import transaction

from approvals.models import OnCallShift
from changemgmt import ledger
from changemgmt.roles import Role, has_role


def _payload(shift: OnCallShift) -> dict:
    return {"role": shift.role, "user": shift.user.username, "starts_at": shift.starts_at, "ends_at": shift.ends_at}


def _check(actor) -> None:
    if not has_role(actor, Role.ADMINISTRATOR):
        raise PermissionDenied("Only administrators edit the on-call roster.")


def save_shift(*, actor, shift: OnCallShift) -> OnCallShift:
    """Create or change a shift with a ledger entry. Validated here (fields, the user, the end after the
    start) for every door: the admin's form has done so already, the API's body only parses."""
    _check(actor)
    shift.full_clean()
    with transaction.atomic():
        created = shift.pk is None
        before = None if created else _payload(OnCallShift.objects.select_for_update().get(pk=shift.pk))
        shift.save()
        ledger.append(actor=actor, action="oncall.shift_added" if created else "oncall.shift_changed",
                      subject=shift, payload={**_payload(shift), **({"before": before} if before else {})})
    return shift


def delete_shift(*, actor, shift: OnCallShift) -> None:
    _check(actor)
    with transaction.atomic():
        ledger.append(actor=actor, action="oncall.shift_removed", subject=shift, payload=_payload(shift))
        shift.delete()
