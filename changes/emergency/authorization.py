"""Verbal authorization of emergency changes [POLICY §7, 002 §6.3].

Who may authorize depends on when the authorization was given: in business hours a manager and a
security officer; after hours the on-call manager and the on-call security officer (the roster in
OnCallShift at that instant); if they cannot be reached, the CTO or the CISO alone (policy
`emergency_authorization`: the `alone` and `pair` roles and `max_backdate_hours`). The authorizer
must hold the role they authorize in, and never be the change's author or owner; one person
authorizes once per change. The time given lies between the change's filing and now (at most
`max_backdate_hours` back), and the business-hours rule is judged at that time.

The checks live here; changes.emergency.services records the authorizer's own word (the write is
changes.emergency.services.authorization) or asks them to confirm (changes.emergency.services.confirmation).
"""
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from approvals.models import OnCallShift
from changemgmt import clock, policy
from changemgmt.errors import Conflict
from changemgmt.models import User
from changemgmt.roles import roles_of
from changes.emergency.models import EmergencyAuthorization
from changes.emergency.rules import EMERGENCY, ROLE_HOLDERS
from changes.models import ChangeRequest

POLICY_REF = "POLICY §7 [002 §6.3]"
# States in which an emergency change still waits for its go-ahead.
AUTHORIZABLE_STATES = ("draft", "assessment", "approval")


def rules() -> dict:
    """Policy `emergency_authorization`: {"alone": [...], "pair": [...], "max_backdate_hours": n}."""
    return policy.get("emergency_authorization")


def max_backdate() -> timedelta:
    """How far back a verbal authorization may be dated (the call happened before it was written down)."""
    return timedelta(hours=rules()["max_backdate_hours"])


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
    settings = rules()
    return bool(roles & set(settings["alone"])) or set(settings["pair"]) <= roles


def authorization_complete(change) -> bool:
    """Read by changes.gates.emergency_authorized (the deploy gate of an emergency change)."""
    if change.change_type != EMERGENCY or change.pk is None:
        return False
    return is_complete(set(change.emergency_authorizations.values_list("authorizer_role", flat=True)))


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
    hours = rules()["max_backdate_hours"]
    if moment < now - timedelta(hours=hours):
        raise ValidationError({"authorized_at": f"An authorization cannot be dated more than {hours} hours back."})
    return moment


def check_time(change, moment: datetime) -> None:
    """The go-ahead cannot predate the change it authorizes (else "business hours" would be judged at a
    time when there was nothing to authorize)."""
    if moment < change.created_at:
        raise ValidationError({"authorized_at": "An authorization cannot be dated before the change was filed "
                                                f"({clock.local(change.created_at):%Y-%m-%d %H:%M})."})


def validated(*, authorizer_id, role, how, authorized_at, notes, now):
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
    if role in rules()["pair"] and not clock.is_business_hours(at) and authorizer.pk not in on_call(role, at):
        reasons.append(f"After hours only the on-call {role} may authorize ({clock.local(at):%a %H:%M}); "
                       "if they cannot be reached, ask the CTO or CISO.")
    return reasons


def lock_waiting(change_id, check=None):
    """Lock the change (changemgmt.locking order), run `check(change)` (permission), and check the change
    still waits for an authorization."""
    change = ChangeRequest.objects.select_for_update().get(pk=change_id)
    if check is not None:
        check(change)
    if change.change_type != EMERGENCY:
        raise Conflict("Only an emergency change takes a verbal authorization.")
    if change.state not in AUTHORIZABLE_STATES:
        raise Conflict(f"This change is {change.get_state_display().lower()}: it no longer waits for "
                       "authorization.")
    return change


def check_authorizer(change, *, authorizer, role: str, at: datetime) -> list:
    """Every check on the authorization itself, under the change's lock; returns the existing ones."""
    check_time(change, at)
    existing = list(change.emergency_authorizations.all())
    if any(row.authorizer_role == role for row in existing):
        raise Conflict(f"A {role} authorization is already recorded for this change.")
    reasons = refusals(change=change, authorizer=authorizer, role=role, at=at, existing=existing)
    if reasons:
        raise PermissionDenied(" ".join(reasons))
    return existing
