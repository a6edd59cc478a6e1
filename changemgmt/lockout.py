"""Login guessing: django-axes locks an account, and a client address, after repeated failures.

Three small pieces axes is configured with (settings AUTHENTICATION_BACKENDS, AXES_*):
- `LockoutBackend` refuses a locked-out account or client before any password is checked. It skips
  calls that carry no request (Django's test `Client.login`, a shell): no login page or API reaches
  `authenticate` without one, so nothing a client sends escapes the lockout.
- `lockout_response` renders the login page again with HTTP 429, `Retry-After` and how long to wait.
- `client_ip` is the one definition of "the client" for the lockout and the API throttles.
"""
import math

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off
from django.conf import settings
from django.shortcuts import render


class LockoutBackend(AxesStandaloneBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_ip(request) -> str:
    """REMOTE_ADDR, or behind the TLS proxy (BEHIND_TLS_PROXY) the last X-Forwarded-For hop: the
    address the proxy itself saw, which a client cannot forge by sending its own header."""
    if settings.BEHIND_TLS_PROXY:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return request.META.get("REMOTE_ADDR", "")


def wait_in_words(seconds: int) -> str:
    minutes = math.ceil(seconds / 60)
    if minutes <= 1:
        return "a minute"
    return f"{minutes} minutes"


def lockout_response(request, original_response=None, credentials=None):
    """The login page with the reason and the wait. Every attempt while locked restarts the cool-off
    (axes' AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT), so the wait is the full cool-off from now."""
    from django.contrib.auth.forms import AuthenticationForm

    seconds = int(get_cool_off(request).total_seconds())
    form = AuthenticationForm(request, initial={"username": (credentials or {}).get("username", "")})
    response = render(request, "registration/login.html",
                      {"form": form, "locked_out": True, "retry_after": wait_in_words(seconds)}, status=429)
    response["Retry-After"] = str(seconds)
    return response
