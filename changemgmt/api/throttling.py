"""API-token guessing: failed token authentications are counted per client address, and past the
rate (REST_FRAMEWORK DEFAULT_THROTTLE_RATES["failed_token"], "20/5m") every token from that client
answers 429 with Retry-After, the right one too, until the oldest counted failure ages out.

Only failures are counted (a pipeline using a valid token is never slowed), so this is not DRF's
allow_request flow: `ApiTokenAuthentication` asks `blocked()` before checking a token and calls
`record_failure()` when one is refused. The counts live in the default cache (shared by the web
workers when CACHE_URL is Redis); if the cache is down the check lets the request through rather
than failing it.
"""
import logging

from rest_framework.throttling import SimpleRateThrottle

from changemgmt.lockout import client_ip

log = logging.getLogger(__name__)
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class FailedTokenThrottle(SimpleRateThrottle):
    scope = "failed_token"

    def parse_rate(self, rate):
        """DRF's "N/unit" plus a count of units: "20/5m" is 20 per five minutes."""
        if rate is None:
            return None, None
        number, period = rate.split("/")
        count = int(period[:-1] or 1)
        return int(number), count * _UNITS[period[-1]]

    def get_ident(self, request):
        return client_ip(request)

    def get_cache_key(self, request, view=None):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def _history(self, request) -> list[float]:
        self.key = self.get_cache_key(request)
        self.now = self.timer()
        history = self.cache.get(self.key, [])
        return [moment for moment in history if moment > self.now - self.duration]

    def blocked(self, request) -> bool:
        try:
            self.history = self._history(request)
        except Exception:  # a cache outage must not fail authentication
            log.warning("failed-token throttle: cache unavailable, not throttling", exc_info=True)
            self.history = []
            return False
        return len(self.history) >= self.num_requests

    def record_failure(self, request) -> None:
        try:
            history = [self.timer(), *self._history(request)][: self.num_requests]
            self.cache.set(self.key, history, self.duration)
        except Exception:
            log.warning("failed-token throttle: cache unavailable, failure not counted", exc_info=True)
