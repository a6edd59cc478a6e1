"""The authorizer's confirmation of a verbal authorization someone else wrote down [issue 9 §2].

A requester could once record "the CTO said yes on the phone" on their own change and deploy at once,
the CTO none the wiser. Now only the authorizer's own word counts: `ask` stores the request, sends the
authorizer a signed link (django.core.signing, salted, expiring) in their inbox and by e-mail, and
writes nothing that lets the change deploy. `confirm`, reached by the authorizer following the link
(GET shows it, POST confirms), re-runs every check under the change's lock and only then writes the
EmergencyAuthorization. Single use: a confirmed request cannot be confirmed again, and the link
expires `max_backdate_hours` after the time the go-ahead was said to be given (past that it could not
be recorded anyway).
"""
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from changemgmt import clock, ledger
from changemgmt.errors import Conflict
from changemgmt.models import NotificationKind
from changemgmt.notifications import Message, notify_many
from changes.emergency import authorization as emergency
from changes.emergency.models import AuthorizationRequest
from changes.emergency.services.authorization import write_authorization

SALT = "approvals.emergency.confirm"  # unchanged since the move: links already sent stay valid
BAD_LINK = "This confirmation link is not valid."


def token_for(request: AuthorizationRequest) -> str:
    return signing.dumps({"request": request.pk, "authorizer": request.authorizer_id}, salt=SALT)


def confirm_path(request: AuthorizationRequest) -> str:
    return reverse("emergency:confirm", args=[token_for(request)])


def ask(*, change, actor, authorizer, role, how, at, notes) -> AuthorizationRequest:
    """Store the request and tell the authorizer (inside the recording service's transaction, change locked)."""
    request = AuthorizationRequest.objects.create(
        change=change, authorizer=authorizer, authorizer_role=role, how=how, authorized_at=at,
        notes=(notes or "").strip(), requested_by=actor, expires_at=at + emergency.max_backdate())
    ledger.append(actor=actor, action="emergency.confirmation_requested", subject=change, payload={
        "request_id": request.pk, "authorizer": authorizer.username, "role": role, "how": how, "authorized_at": at,
        "expires_at": request.expires_at})
    who = actor.get_full_name() or actor.username
    notify_many([Message(
        authorizer.pk, NotificationKind.APPROVAL_REQUESTED,
        f"{change.reference}: confirm your emergency authorization",
        f"{who} recorded that you authorized the emergency change “{change.title}” as {role} "
        f"({request.get_how_display().lower()}, {clock.local(at):%a %d %b %H:%M}). It counts only once you "
        "confirm it: follow the link. If you did not authorize it, do not confirm and tell the change manager.",
        confirm_path(request), request.expires_at)])
    return request


def _request_of(token: str) -> AuthorizationRequest:
    try:
        data = signing.loads(token, salt=SALT, max_age=emergency.max_backdate())
    except signing.SignatureExpired as expired:
        raise Conflict("This confirmation link has expired; the authorization must be recorded again.") from expired
    except signing.BadSignature as bad:
        raise PermissionDenied(BAD_LINK) from bad
    request = (AuthorizationRequest.objects.select_related("change", "authorizer", "requested_by")
               .filter(pk=data.get("request"), authorizer_id=data.get("authorizer")).first())
    if request is None:
        raise PermissionDenied(BAD_LINK)
    return request


def pending(token: str, actor) -> AuthorizationRequest:
    """What the link shows: the request, if `actor` is its authorizer (read only)."""
    request = _request_of(token)
    if request.authorizer_id != actor.pk:
        raise PermissionDenied("Only the person named as authorizer may confirm this authorization.")
    return request


def confirm(*, token: str, actor):
    """The authorizer confirms: the EmergencyAuthorization is written now, after every check again."""
    request = pending(token, actor)
    with transaction.atomic():
        change = emergency.lock_waiting(request.change_id)
        request = AuthorizationRequest.objects.select_for_update().get(pk=request.pk)
        if request.confirmed_at is not None:
            raise Conflict("This authorization is already confirmed.")
        now = timezone.now()
        if now > request.expires_at:
            raise Conflict("This confirmation link has expired; the authorization must be recorded again.")
        existing = emergency.check_authorizer(change, authorizer=actor, role=request.authorizer_role,
                                              at=request.authorized_at)
        row = write_authorization(
            change=change, authorizer=actor, role=request.authorizer_role, how=request.how, at=request.authorized_at,
            notes=request.notes, recorded_by=request.requested_by, existing=existing, actor=actor, confirmed=True)
        request.confirmed_at, request.authorization = now, row
        request.save(update_fields=["confirmed_at", "authorization"])
        return row


def waiting(change) -> list[AuthorizationRequest]:
    """Unconfirmed, unexpired requests of a change (shown in its emergency panel)."""
    return list(change.authorization_requests.filter(confirmed_at__isnull=True, expires_at__gt=timezone.now())
                .select_related("authorizer", "requested_by"))
