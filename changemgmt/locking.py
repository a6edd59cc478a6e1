"""The one lock order of every write that touches a change and its approvals, and what a lost race answers.

Lock order (every path takes row locks in this order, and never goes back up it):

1. the CAB meeting or agenda item a CAB service works on (cab.services: the board's own rows);
2. the change request (``ChangeRequest`` row, ``select_for_update``);
3. its approval slots (``ApprovalSlot`` rows: decided, created or superseded);
4. the emergency paperwork and authorizations of the change;
5. the ledger's append lock (``changemgmt.ledger.services``: always last, held to commit).

Deciding a slot used to lock the slot and then its change while cancelling locked the change and then
its slots: two requests on one change deadlocked, and PostgreSQL answered one of them with
``DeadlockDetected`` (an HTML 500). Now every path — cancel and reject (changes.services.run_transition),
deciding a slot (approvals.services.decide), re-scoring during approval (changes.services.score_risk then
approvals.services.sync_slots) and the CAB decision (cab.services.voting.record_decision) — locks the change
before any of its slots, so they queue on the change row instead of deadlocking; the loser then finds the
change moved on and is refused with ``Conflict`` (409).

Should a deadlock or a serialization failure happen anyway (a path added later out of order), ``atomic_retry``
runs the transaction once more and, if it fails again, raises ``Conflict``: never a 500. On the paths not
wrapped in it, the backstop is at the doors: the API's exception handler (changemgmt.api.errors) and
``LostRaceMiddleware`` for pages answer a lost race with 409 and the same message, after the request's
transaction has rolled back.
"""
from collections.abc import Callable
from typing import TypeVar

from django.db import OperationalError, transaction
from django.shortcuts import render

from changemgmt.errors import Conflict

T = TypeVar("T")

# SQLSTATEs of a transaction PostgreSQL aborted to break a lock cycle or a serialization conflict.
RETRYABLE_SQLSTATES = {"40P01", "40001"}
BUSY = "Someone else changed this at the same moment; nothing was recorded. Reload and try again."


def is_retryable(error: Exception) -> bool:
    """A deadlock or serialization failure (PostgreSQL), or SQLite's "database is locked"."""
    cause = error.__cause__ or error
    if getattr(cause, "pgcode", None) in RETRYABLE_SQLSTATES or getattr(cause, "sqlstate", None) in RETRYABLE_SQLSTATES:
        return True
    return "deadlock detected" in str(error) or "database is locked" in str(error)


def atomic_retry(work: Callable[[], T], *, attempts: int = 2) -> T:
    """Run `work` in its own transaction; on a deadlock or serialization failure run it once more, then
    give up with Conflict. Inside an outer transaction a retry is impossible (the outer one is aborted):
    the failure is answered with Conflict at once and the outer transaction rolls back with it."""
    nested = transaction.get_connection().in_atomic_block
    for attempt in range(1, attempts + 1):
        try:
            with transaction.atomic():
                return work()
        except OperationalError as error:
            if not is_retryable(error):
                raise
            if nested or attempt == attempts:
                raise Conflict(BUSY) from error
    raise AssertionError("unreachable")


class LostRaceMiddleware:
    """A page whose request lost a lock race (deadlock, serialization failure) answers 409 with the reason,
    not a 500: nothing was written, since the request's transaction was aborted."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OperationalError) and is_retryable(exception):
            return render(request, "409.html", {"reason": BUSY}, status=409)
        return None
