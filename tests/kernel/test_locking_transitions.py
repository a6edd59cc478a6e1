"""Every transition (cancel included) runs in changemgmt.locking.atomic_retry: a lost lock race is run
once more, and a second loss is answered with Conflict (409 over the API, the reason on the page) with
nothing written, never a 500 [issue 9, issue 15].

These tests need real transactions: inside a test's own transaction a retry is impossible (the outer
transaction is aborted) and atomic_retry answers Conflict at once."""
import pytest
from django.db import OperationalError

from changemgmt import locking
from changemgmt.models import LedgerEntry
from changes.services import transition as transition_services
from tests.support import factories as f
from tests.support import lifecycle as life
from tests.support.api import authenticated, post_json


def lock_deadlocks(monkeypatch, times: int) -> list[int]:
    """The change's row lock loses a lock race the first `times` times it is taken."""
    real_lock, calls = transition_services._lock, []

    def deadlocking(change_id):
        calls.append(change_id)
        if len(calls) <= times:
            raise OperationalError("deadlock detected")
        return real_lock(change_id)

    monkeypatch.setattr(transition_services, "_lock", deadlocking)
    return calls


def cancel_over_the_api(requester, change):
    return post_json(authenticated(requester), f"/api/changes/{change.pk}/transitions/cancel/",
                     {"reason": "Superseded by the platform upgrade"})


@pytest.mark.django_db(transaction=True)
def test_a_transition_that_lost_a_lock_race_once_is_run_again(frozen, requester, monkeypatch):
    change = life.submitted(requester)
    calls = lock_deadlocks(monkeypatch, times=1)
    response = cancel_over_the_api(requester, change)
    assert response.status_code == 200 and response.json()["state"] == "cancelled"
    assert len(calls) == 2
    assert LedgerEntry.objects.filter(action="change.cancel").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_transition_that_lost_twice_is_a_409_and_writes_nothing(frozen, requester, monkeypatch):
    change = life.submitted(requester)
    entries = LedgerEntry.objects.count()
    calls = lock_deadlocks(monkeypatch, times=2)
    response = cancel_over_the_api(requester, change)
    assert response.status_code == 409 and response.json() == {"detail": locking.BUSY}
    assert len(calls) == 2
    assert LedgerEntry.objects.count() == entries and f.reload(change).state == "assessment"


@pytest.mark.django_db(transaction=True)
def test_on_the_page_a_transition_that_lost_twice_says_so_and_writes_nothing(frozen, client, requester,
                                                                             monkeypatch):
    """The page answers a Conflict as it answers any other: back to the change with the reason."""
    change = life.submitted(requester)
    lock_deadlocks(monkeypatch, times=2)
    client.force_login(requester)
    response = client.post(f"/changes/{change.pk}/transitions/cancel/", {"reason": "Superseded"}, follow=True)
    assert response.status_code == 200 and locking.BUSY in response.content.decode()
    assert f.reload(change).state == "assessment"
