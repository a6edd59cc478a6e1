"""One lock order, the change before its slots (changemgmt.locking) [issue 15]: cancel racing an approval
decision on the same change used to deadlock (an HTML 500); now the loser gets a 409. A deadlock that still
happens is retried once and then answered with 409, never a 500."""

import pytest
from django.db import OperationalError, connection

from approvals import services as approval_services
from changemgmt import locking
from changemgmt.errors import Conflict
from changes.models import ChangeRequest
from tests.support import lifecycle as life
from tests.support.api import authenticated, client_for, post_json
from tests.support.concurrency import race

ROUNDS = 12


@pytest.mark.django_db(transaction=True)
def test_cancel_racing_a_decision_never_answers_a_server_error(requester, peer, peer2):
    if connection.vendor != "postgresql":
        pytest.skip("Row locks and deadlocks race only on PostgreSQL (SQLite serializes writers)")
    seen = []
    for _ in range(ROUNDS):
        change = life.in_approval(requester)
        first, second = change.approval_slots.order_by("ordinal")
        approval_services.decide(slot_id=first.pk, actor=peer, verdict="grant")
        cancel_url = f"/api/changes/{change.pk}/transitions/cancel/"
        decide_url = f"/api/approvals/{second.pk}/decide/"
        cancel, decide = race(
            lambda url=cancel_url: post_json(authenticated(requester), url, {"reason": "Superseded by CHG-2"}),
            lambda url=decide_url: post_json(authenticated(peer2), url, {"verdict": "grant"}),
        )
        statuses = (cancel.status_code, decide.status_code)
        seen.append(statuses)
        assert set(statuses) <= {200, 409}, (statuses, cancel.content[:300], decide.content[:300])
        if decide.status_code == 409:  # the cancel won: the decision found its slot no longer required
            assert cancel.status_code == 200 and "application/json" in decide["Content-Type"]
            assert ChangeRequest.objects.get(pk=change.pk).state == "cancelled"
    assert all(500 not in statuses for statuses in seen)


@pytest.mark.django_db(transaction=True)
def test_a_deadlock_is_retried_once_then_answered_with_conflict():
    calls = []

    def flaky():
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("deadlock detected")
        return "done"

    assert locking.atomic_retry(flaky) == "done" and len(calls) == 2

    def always():
        raise OperationalError("deadlock detected")

    with pytest.raises(Conflict):
        locking.atomic_retry(always)

    def other():
        raise OperationalError("no such table: nowhere")

    with pytest.raises(OperationalError):
        locking.atomic_retry(other)


def test_a_deadlock_in_a_decision_is_a_409_over_the_api(frozen, requester, peer, monkeypatch):
    change = life.in_approval(requester)
    slot = change.approval_slots.first()

    def deadlocked(*args, **kwargs):
        raise OperationalError("deadlock detected")

    monkeypatch.setattr(approval_services, "_decide", deadlocked)
    response = post_json(client_for(peer), f"/api/approvals/{slot.pk}/decide/", {"verdict": "grant"})
    assert response.status_code == 409 and "at the same moment" in response.json()["detail"]
