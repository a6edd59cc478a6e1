"""A lost lock race on a path not wrapped in changemgmt.locking.atomic_retry (a transition, say) is
answered 409 with the reason at both doors, the API and the page, and writes nothing: never a 500."""
from django.db import OperationalError

from changemgmt import locking
from changemgmt.models import LedgerEntry
from changes import services
from tests.support import factories as f
from tests.support import lifecycle as life
from tests.support.api import authenticated, post_json


def transitions_deadlock(monkeypatch):
    def deadlocked(**kwargs):
        raise OperationalError("deadlock detected")

    monkeypatch.setattr(services, "run_transition", deadlocked)


def test_a_transition_that_lost_a_lock_race_is_a_409_over_the_api(frozen, requester, monkeypatch):
    change = life.submitted(requester)
    transitions_deadlock(monkeypatch)
    entries = LedgerEntry.objects.count()
    response = post_json(authenticated(requester), f"/api/changes/{change.pk}/transitions/cancel/",
                         {"reason": "Superseded"})
    assert response.status_code == 409 and response.json() == {"detail": locking.BUSY}
    assert LedgerEntry.objects.count() == entries and f.reload(change).state == change.state


def test_a_transition_that_lost_a_lock_race_is_a_409_page(frozen, client, requester, monkeypatch):
    change = life.submitted(requester)
    transitions_deadlock(monkeypatch)
    client.force_login(requester)
    response = client.post(f"/changes/{change.pk}/transitions/cancel/", {"reason": "Superseded"})
    assert response.status_code == 409
    assert locking.BUSY in response.content.decode()
    assert f.reload(change).state == change.state


def test_other_database_errors_are_not_mistaken_for_a_lost_race():
    assert not locking.is_retryable(OperationalError("no such table: changes_changerequest"))
