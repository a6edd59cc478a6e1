"""Bearer authentication with hashed, revocable API tokens (`Authorization: Bearer cm_<prefix>_<secret>`).

A client that keeps presenting wrong tokens is throttled (changemgmt.api.throttling): 429 with
Retry-After, before any token it sends is even looked up.
"""
import hashlib
import hmac
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from rest_framework import authentication, exceptions

from changemgmt.api.throttling import FailedTokenThrottle
from changemgmt.models import ApiToken
from changemgmt.models.tokens import TokenKind
from changemgmt.roles import Role, has_role

TOKEN_PREFIX = "cm"


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _pipeline_services(user, service_ids) -> list:
    """The services a pipeline token is scoped to: only an administrator issues one, naming at least one
    existing service (a token scoped to nothing could gate nothing)."""
    if not has_role(user, Role.ADMINISTRATOR):
        raise PermissionDenied("Only an administrator issues pipeline tokens.")
    try:
        ids = {int(pk) for pk in service_ids}
    except (TypeError, ValueError):
        raise ValidationError({"services": ["Name the services by id."]}) from None
    services = list(ApiToken.services.field.related_model.objects.filter(pk__in=ids))
    if not ids or len(services) != len(ids):
        raise ValidationError({"services": ["Name at least one existing service for a pipeline token."]})
    return services


def issue_token(*, user, name: str, kind: str = TokenKind.PERSONAL, service_ids=()) -> tuple[ApiToken, str]:
    """Create a token; the returned plain text is shown once and never stored. A pipeline token
    (administrators only) is scoped to `service_ids` and may call only the pipeline gate."""
    from changemgmt import ledger

    if kind not in TokenKind.values:
        raise ValidationError({"kind": [f"Unknown token kind {kind!r}: personal or pipeline."]})
    services = _pipeline_services(user, list(service_ids)) if kind == TokenKind.PIPELINE else []
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    plain = f"{TOKEN_PREFIX}_{prefix}_{secret}"
    with transaction.atomic():
        token = ApiToken.objects.create(user=user, name=name[:100] or "API token", prefix=prefix,
                                        key_hash=hash_secret(plain), kind=kind)
        payload = {"name": token.name, "prefix": prefix}
        if services:
            token.services.set(services)
            payload.update(kind=kind, services=sorted(service.name for service in services))
        ledger.append(actor=user, action="api_token.issued", subject=token, payload=payload)
    return token, plain


def revoke_token(*, token_id: int, actor) -> None:
    from changemgmt import ledger

    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token_id, user=actor)
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            ledger.append(actor=actor, action="api_token.revoked", subject=token, payload={"prefix": token.prefix})


def principal_of(request):
    """Whom DRF will authenticate `request` as, found without counting a failure or answering: the
    bearer token's user (None for a wrong or revoked token, which DRF then refuses with 401), else
    the session's user when the CSRF token is right (else DRF answers 403). For
    changemgmt.api.idempotency, which must know the caller before the view runs."""
    header = authentication.get_authorization_header(request).decode("latin-1")
    if header.startswith(f"{ApiTokenAuthentication.keyword} "):
        try:
            return ApiTokenAuthentication()._check(header[len(ApiTokenAuthentication.keyword) + 1:].strip())[0]
        except exceptions.AuthenticationFailed:
            return None
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    check = authentication.CSRFCheck(lambda _request: None)  # what SessionAuthentication enforces
    check.process_request(request)
    return user if check.process_view(request, None, (), {}) is None else None


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header.startswith(f"{self.keyword} "):
            return None
        throttle = FailedTokenThrottle()
        if throttle.blocked(request):
            raise exceptions.Throttled(wait=throttle.wait(),
                                       detail="Too many failed API token attempts from this client.")
        try:
            return self._check(header[len(self.keyword) + 1:].strip())
        except exceptions.AuthenticationFailed:
            throttle.record_failure(request)
            raise

    def _check(self, plain: str):
        parts = plain.split("_", 2)
        if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
            raise exceptions.AuthenticationFailed("Malformed API token.")
        token = ApiToken.objects.select_related("user").filter(prefix=parts[1]).first()
        if token is None or not hmac.compare_digest(token.key_hash, hash_secret(plain)):
            raise exceptions.AuthenticationFailed("Invalid API token.")
        if token.revoked_at is not None or not token.user.is_active:
            raise exceptions.AuthenticationFailed("This API token has been revoked.")
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword
