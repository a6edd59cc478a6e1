"""Refused writes are logged, never written: a service decorated with `logged_refusals` records who
tried what and why in the `changemgmt.refusals` log, and the refusal goes on to the caller. The
ledger holds only what happened."""
import functools
import logging

from django.core.exceptions import PermissionDenied, ValidationError

logger = logging.getLogger("changemgmt.refusals")


def describe(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(exc.messages)
    return str(exc)


def logged_refusals(action: str):
    """Log a refused call of the decorated service (it must take `actor` by keyword)."""
    def decorate(service):
        @functools.wraps(service)
        def wrapper(*args, **kwargs):
            try:
                return service(*args, **kwargs)
            except (PermissionDenied, ValidationError) as exc:
                actor = kwargs.get("actor")
                logger.warning("refused %s by %s: %s", action, getattr(actor, "username", actor) or "anonymous",
                               describe(exc))
                raise
        return wrapper
    return decorate
