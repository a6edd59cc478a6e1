"""`Idempotency-Key` on every API POST (issue 10 §8): a client that did not hear the answer retries
with the same key and gets the first answer instead of a second write.

For a POST under /api/ carrying the header, from an authenticated principal (the bearer token's user,
else the session's: changemgmt.api.authentication.principal_of):

- the first request claims the key in its own committed row (`IdempotencyKey`, unique per user and
  key), then runs in one transaction that also stores its answer when it succeeds (2xx): status,
  headers and body. Write and answer commit together, so a crash leaves neither;
- a retry with the same key and the same request (method, path with query, SHA-256 of the body)
  gets that answer again, with `Idempotent-Replayed: true`, and writes nothing;
- the same key with a different request is refused: 422 naming the header and the rule;
- a retry while the first still runs gets 409 with `Retry-After` (never a second write). A claim
  still running after `LEASE` belonged to a request that died, whose transaction rolled back: the
  key is taken over;
- inside that one transaction a lost lock race is answered 409 at once, not retried by
  changemgmt.locking.atomic_retry: the client retries, with the same key;
- an answer other than 2xx is not kept: the request's transaction is rolled back (a refused request
  writes nothing anyway) and the key is released, so a retry runs again;
- keys are per user (two principals never share one) and expire after IDEMPOTENCY_KEY_TTL_HOURS;
  the beat job changemgmt.purge_idempotency_keys deletes expired rows.

A middleware rather than a DRF view mixin so that every POST endpoint of every app is covered,
including function views; the maintained packages (django-idempotency-key, drf-idempotency) key on
`request.user` before DRF has authenticated a bearer token, which would share keys between callers.
Without the header, requests run exactly as before.
"""
import hashlib
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse
from django.utils import timezone

from changemgmt.api.authentication import principal_of
from changemgmt.models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEY_RULE = "1 to 255 visible ASCII characters (no spaces), e.g. a UUID"
LEASE = timedelta(minutes=10)


# POSTs that are idempotent by a key of their own and so take no Idempotency-Key: the pipeline gate answers
# the same decision for the same (pipeline, run, environment) until the change moves.
OWN_KEY_PATHS = frozenset({"/api/pipeline/gate/"})


def applies(request) -> bool:
    return (request.method == "POST" and request.path.startswith("/api/") and request.path not in OWN_KEY_PATHS
            and "HTTP_IDEMPOTENCY_KEY" in request.META)


def valid_key(key: str) -> bool:
    return 1 <= len(key) <= 255 and all("!" <= char <= "~" for char in key)


def fingerprint(request, body: bytes) -> str:
    text = f"{request.method}\n{request.get_full_path()}\n{hashlib.sha256(body).hexdigest()}"
    return hashlib.sha256(text.encode()).hexdigest()


class IdempotencyMiddleware:
    """Placed after the authentication and CSP middleware, so a replayed answer gets the same
    security headers as the first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not applies(request):
            return self.get_response(request)
        key = request.META["HTTP_IDEMPOTENCY_KEY"]
        if not valid_key(key):
            message = f"The {HEADER} header must be {KEY_RULE}."
            return JsonResponse({"detail": message, HEADER: [message]}, status=400)
        user = principal_of(request)
        try:
            body = request.body
        except RequestDataTooBig:
            user = None
        if user is None:  # DRF refuses it (401, 403, 413): nothing to remember
            return self.get_response(request)
        claim, answer = _claim(user, key, fingerprint(request, body), request)
        return answer if answer is not None else self._run(request, claim)

    def _run(self, request, claim: IdempotencyKey):
        kept = stored = False
        try:
            with transaction.atomic():
                response = self.get_response(request)
                if 200 <= response.status_code < 300 and not response.streaming:
                    IdempotencyKey.objects.filter(pk=claim.pk).update(
                        status_code=response.status_code, response_headers=dict(response.items()),
                        response_body=response.content)
                    stored = True
                else:
                    transaction.set_rollback(True)
            kept = stored  # committed: the write and its answer together
        finally:
            if not kept:
                IdempotencyKey.objects.filter(pk=claim.pk, status_code__isnull=True).delete()
        return response


def _claim(user, key: str, request_print: str, request) -> tuple[IdempotencyKey | None, HttpResponse | None]:
    """Take the key (the row is committed at once, so a concurrent retry sees it), or answer from it."""
    now = timezone.now()
    for _attempt in range(2):
        try:
            with transaction.atomic():
                return IdempotencyKey.objects.create(
                    user=user, key=key, fingerprint=request_print, method=request.method,
                    path=request.get_full_path()[:2000], claimed_at=now,
                    expires_at=now + timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)), None
        except IntegrityError:
            row = IdempotencyKey.objects.filter(user=user, key=key).first()
        if row is None:
            continue  # purged or released in between: claim it afresh
        if row.expires_at <= now:
            IdempotencyKey.objects.filter(pk=row.pk, expires_at__lte=now).delete()
            continue
        if row.fingerprint != request_print:
            return None, _mismatch(row)
        if row.status_code is not None:
            return None, _replay(row)
        if row.claimed_at <= now - LEASE and IdempotencyKey.objects.filter(
                pk=row.pk, status_code__isnull=True, claimed_at=row.claimed_at).update(claimed_at=now):
            return row, None
        break
    response = JsonResponse({"detail": f"A request with this {HEADER} is still in progress; nothing was written "
                                       "by this one. Retry when it has finished to get its answer."}, status=409)
    response["Retry-After"] = "1"
    return None, response


def _mismatch(row: IdempotencyKey) -> JsonResponse:
    return JsonResponse({"detail": f"This {HEADER} was first used for another request ({row.method} {row.path}): "
                                   "one key names one request, and a retry repeats its method, path and body "
                                   "exactly. Send a new key for a different request."}, status=422)


def _replay(row: IdempotencyKey) -> HttpResponse:
    response = HttpResponse(bytes(row.response_body), status=row.status_code)
    for name, value in row.response_headers.items():
        response[name] = value
    response[REPLAYED_HEADER] = "true"
    return response
