"""Bearer authentication with hashed, revocable API tokens (`Authorization: Bearer cm_<prefix>_<secret>`).

A client that keeps presenting wrong tokens is throttled (changemgmt.api.throttling): 429 with
Retry-After, before any token it sends is even looked up. Tokens are issued and revoked by
changemgmt.people_services.
"""
import hmac

from django.utils import timezone
from rest_framework import authentication, exceptions

from changemgmt.api.throttling import FailedTokenThrottle
from changemgmt.models import ApiToken
from changemgmt.people_services import TOKEN_PREFIX, hash_secret


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
