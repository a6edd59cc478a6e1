"""Verbal authorization of emergency changes [POLICY §7, 002 §6.3].

Who may authorize depends on when the authorization was given: in business hours a manager and a
security officer; after hours the on-call manager and the on-call security officer (the roster in
OnCallShift at that instant); if they cannot be reached, the CTO or the CISO alone. The authorizer
must hold the role they authorize in, and never be the change's author or owner; one person
authorizes once per change. This layer does not import changes: the change is read through the
EmergencyAuthorization foreign key's model.
"""
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from approvals.models import EmergencyAuthorization, OnCallShift
from changemgmt import clock, ledger
from changemgmt.errors import Conflict
from changemgmt.models import User
from changemgmt.roles import Role, roles_of

POLICY_REF = "POLICY §7 [002 §6.3]"
EMERGENCY = "emergency"
# States in which an emergency change still waits for its go-ahead.
AUTHORIZABLE_STATES = ("draft", "assessment", "approval")
ROLE_HOLDERS = {"manager": Role.MANAGER, "security": Role.SECURITY, "cto": Role.CTO, "ciso": Role.CISO}
ALONE = ("cto", "ciso")
PAIR = ("manager", "security")
# How far back a verbal authorization may be dated (the call happened before it was written down).
MAX_BACKDATE = timedelta(hours=24)
RECORDERS = (Role.OPERATIONS, Role.MANAGER, Role.SECURITY, Role.CTO, Role.CISO, Role.ADMINISTRATOR)


def change_model():
    return EmergencyAuthorization._meta.get_field("change").related_model


def on_call(role: str, at: datetime) -> set[int]:
    """Ids of the people on call as `role` (manager/security) at `at`."""
    return set(OnCallShift.objects.filter(role=role, starts_at__lte=at, ends_at__gt=at)
               .values_list("user_id", flat=True))


def requirement(at: datetime) -> str:
    """What policy asks for at `at`, in words (shown next to the form)."""
    if clock.is_business_hours(at):
        return "Business hours: a manager and a security officer, or the CTO or CISO alone."
    return "After hours: the on-call manager and the on-call security officer, or the CTO or CISO alone."


def is_complete(roles: set[str]) -> bool:
    """Whether authorizations in these roles let the change deploy."""
    return bool(roles & set(ALONE)) or set(PAIR) <= roles


def authorization_complete(change) -> bool:
    """Read by changes.gates.emergency_authorized (the deploy gate of an emergency change)."""
    if change.change_type != EMERGENCY or change.pk is None:
        return False
    return is_complete(set(change.emergency_authorizations.values_list("authorizer_role", flat=True)))


def may_record(user, change) -> bool:
    """The author or owner (the on-call engineer) or an operations/leadership role; never an auditor."""
    held = roles_of(user)
    if not held or held == {Role.AUDITOR}:
        return False
    return user.pk in (change.requester_id, change.owner_id) or bool(held & set(RECORDERS))


def _parse_time(value, now) -> datetime:
    if isinstance(value, datetime):
        moment = value
    elif value in (None, ""):
        return now
    else:
        moment = parse_datetime(str(value))
        if moment is None:
            raise ValidationError({"authorized_at": "Give the time as YYYY-MM-DDTHH:MM with a UTC offset."})
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, clock.zone())
    if moment > now + timedelta(minutes=1):
        raise ValidationError({"authorized_at": "An authorization cannot be dated in the future."})
    if moment < now - MAX_BACKDATE:
        raise ValidationError({"authorized_at": "An authorization cannot be dated more than 24 hours back."})
    return moment


def _validated(*, authorizer_id, role, how, authorized_at, notes, now):
    errors = {}
    if role not in ROLE_HOLDERS:
        errors["role"] = f"Must be one of {', '.join(ROLE_HOLDERS)}."
    if how not in dict(EmergencyAuthorization.HOW_CHOICES):
        errors["how"] = "Must be phone, in_person or chat."
    authorizer = User.objects.filter(pk=authorizer_id, is_active=True).first() \
        if str(authorizer_id or "").isdigit() else None
    if authorizer is None:
        errors["authorizer"] = "No active user with this id."
    if len(notes or "") > 5000:
        errors["notes"] = "At most 5000 characters."
    try:
        moment = _parse_time(authorized_at, now)
    except ValidationError as error:
        errors.update(error.message_dict)
        moment = None
    if errors:
        raise ValidationError(errors)
    return authorizer, moment


def refusals(*, change, authorizer, role: str, at: datetime, existing) -> list[str]:
    """Every reason `authorizer` may not authorize `change` as `role` at `at` (empty: they may)."""
    reasons = []
    if ROLE_HOLDERS[role] not in roles_of(authorizer):
        reasons.append(f"{authorizer.username} does not hold the {role} role.")
    if authorizer.pk in (change.requester_id, change.owner_id):
        reasons.append("The author or owner of a change may not authorize it.")
    if any(row.authorizer_id == authorizer.pk for row in existing):
        reasons.append("One person authorizes an emergency change only once.")
    if role in PAIR and not clock.is_business_hours(at) and authorizer.pk not in on_call(role, at):
        reasons.append(f"After hours only the on-call {role} may authorize ({clock.local(at):%a %H:%M}); "
                       "if they cannot be reached, ask the CTO or CISO.")
    return reasons


def record_verbal_authorization(*, change_id, actor, authorizer_id, role: str, how: str, authorized_at=None,
                                notes: str = "") -> EmergencyAuthorization:
    """Write down a verbal go-ahead for an emergency change. 400 for bad input, 403 when the actor may
    not record or the authorizer may not authorize, 409 when the change is not waiting for one."""
    now = timezone.now()
    authorizer, moment = _validated(authorizer_id=authorizer_id, role=role, how=how, authorized_at=authorized_at,
                                    notes=notes, now=now)
    with transaction.atomic():
        change = change_model().objects.select_for_update().get(pk=change_id)
        if not may_record(actor, change):
            raise PermissionDenied("Only the change's author or owner, operations or leadership may record an "
                                   "emergency authorization.")
        if change.change_type != EMERGENCY:
            raise Conflict("Only an emergency change takes a verbal authorization.")
        if change.state not in AUTHORIZABLE_STATES:
            raise Conflict(f"This change is {change.get_state_display().lower()}: it no longer waits for "
                           "authorization.")
        existing = list(change.emergency_authorizations.all())
        if any(row.authorizer_role == role for row in existing):
            raise Conflict(f"A {role} authorization is already recorded for this change.")
        reasons = refusals(change=change, authorizer=authorizer, role=role, at=moment, existing=existing)
        if reasons:
            raise PermissionDenied(" ".join(reasons))
        row = EmergencyAuthorization.objects.create(change=change, authorizer=authorizer, authorizer_role=role,
                                                    how=how, authorized_at=moment, recorded_by=actor,
                                                    notes=(notes or "").strip())
        complete = is_complete({r.authorizer_role for r in existing} | {role})
        ledger.append(actor=actor, action="emergency.authorized", subject=change, payload={
            "authorizer": authorizer.username, "role": role, "how": how, "authorized_at": moment,
            "business_hours": clock.is_business_hours(moment), "complete": complete, "notes": row.notes,
        })
        return row
