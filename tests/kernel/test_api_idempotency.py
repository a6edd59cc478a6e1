"""Idempotency-Key on API POSTs (changemgmt.api.idempotency): a retry gets the first answer and
writes nothing; a key reused for another request is refused with 422; keys are per user, a running
first request makes its retry wait with 409, a refused request keeps no answer, expired keys are
purged by a beat job, and the schema documents the header."""
import json
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from rest_framework.test import APIClient

from changemgmt.api import idempotency
from changemgmt.api.idempotency import OWN_KEY_PATHS
from changemgmt.api.tasks import purge_idempotency_keys
from changemgmt.models import IdempotencyKey, LedgerEntry
from changemgmt.people_services import issue_token
from changes.models import ChangeRequest
from tests.support import factories as f
from tests.support.api import client_for, rows, token_client
from tests.support.concurrency import race
from tests.support.lifecycle import filed, in_approval

LIST = "/api/changes/"
ROUNDS = 6


def post(client, url, body, key):
    return client.post(url, json.dumps(body), content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)


def _same_answer(first, second):
    assert (second.status_code, second.content) == (first.status_code, first.content)
    assert second["Content-Type"] == first["Content-Type"]
    assert second["Idempotent-Replayed"] == "true" and not first.has_header("Idempotent-Replayed")


def test_a_retried_create_returns_the_first_answer_with_one_ledger_entry(frozen, requester):
    client, body = token_client(requester), f.complete_fields()
    first = post(client, LIST, body, "3f1c2a9e-create")
    entries = LedgerEntry.objects.count()

    second = post(client, LIST, body, "3f1c2a9e-create")

    assert first.status_code == 201, first.content
    _same_answer(first, second)
    assert ChangeRequest.objects.count() == 1 and LedgerEntry.objects.count() == entries
    assert LedgerEntry.objects.filter(action="change.created").count() == 1


def test_a_retried_transition_returns_the_first_answer_with_one_ledger_entry(frozen, requester):
    change = filed(requester)
    url, client = f"/api/changes/{change.pk}/transitions/submit/", client_for(requester)
    first = post(client, url, {}, "submit-1")
    written = rows()

    second = post(client, url, {}, "submit-1")

    assert first.status_code == 200, first.content
    _same_answer(first, second)
    assert rows() == written
    assert LedgerEntry.objects.filter(action="change.submit").count() == 1


def test_a_retried_decision_returns_the_first_answer_with_one_ledger_entry(frozen, requester, peer):
    slot = in_approval(requester).approval_slots.filter(role="peer").order_by("ordinal").first()
    url, client = f"/api/approvals/{slot.pk}/decide/", token_client(peer)
    first = post(client, url, {"verdict": "grant"}, "decide-1")
    written = rows()

    second = post(client, url, {"verdict": "grant"}, "decide-1")

    assert first.status_code == 200, first.content
    _same_answer(first, second)
    assert rows() == written
    assert LedgerEntry.objects.filter(action="approval.granted", payload__slot_id=slot.pk).count() == 1


def test_the_same_key_for_another_request_is_refused_with_422_naming_the_header(frozen, requester):
    client = token_client(requester)
    assert post(client, LIST, f.complete_fields(), "key-1").status_code == 201
    written = rows()

    other_body = post(client, LIST, f.complete_fields(title="Another change"), "key-1")
    other_path = post(client, f"/api/changes/{ChangeRequest.objects.get().pk}/transitions/submit/", {}, "key-1")

    for refused in (other_body, other_path):
        assert refused.status_code == 422
        detail = refused.json()["detail"]
        assert "Idempotency-Key" in detail and "one key names one request" in detail and "POST /api/changes/" in detail
    assert rows() == written


def test_two_users_never_share_a_key(frozen, requester, peer):
    peer.groups.add(*requester.groups.all())
    body = f.complete_fields()
    first = post(token_client(requester), LIST, body, "shared-key")
    second = post(token_client(peer), LIST, body, "shared-key")

    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["id"] != second.json()["id"] and not second.has_header("Idempotent-Replayed")
    assert ChangeRequest.objects.count() == 2


def test_a_retry_while_the_first_request_runs_is_told_it_is_in_progress(frozen, requester, rf):
    """The first request's claim is committed before it runs; its retry finds the claim without an answer."""
    now, body = timezone.now(), json.dumps(f.complete_fields()).encode()
    running = IdempotencyKey.objects.create(
        user=requester, key="busy", method="POST", path=LIST, claimed_at=now, expires_at=now + timedelta(hours=24),
        fingerprint=idempotency.fingerprint(rf.post(LIST, body, content_type="application/json"), body))
    written = rows()

    response = client_for(requester).post(LIST, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="busy")

    assert response.status_code == 409 and "still in progress" in response.json()["detail"]
    assert response["Retry-After"] == "1" and rows() == written
    assert IdempotencyKey.objects.get().pk == running.pk


def test_a_refused_request_keeps_no_answer_and_its_retry_runs_again(frozen, requester):
    client = token_client(requester)
    incomplete = post(client, LIST, f.complete_fields(planned_start="not a date"), "fix-and-retry")
    assert incomplete.status_code == 400 and not IdempotencyKey.objects.exists()

    fixed = post(client, LIST, f.complete_fields(), "fix-and-retry")

    assert fixed.status_code == 201 and ChangeRequest.objects.count() == 1


@pytest.mark.parametrize("key", ["", "x" * 256, "has space", "naïve"])
def test_a_malformed_key_is_a_400_naming_the_header(frozen, requester, key):
    response = client_for(requester).post(LIST, json.dumps(f.complete_fields()), content_type="application/json",
                                          HTTP_IDEMPOTENCY_KEY=key)

    assert response.status_code == 400 and "Idempotency-Key" in response.json()["detail"]
    assert response.json()["Idempotency-Key"] == [response.json()["detail"]]
    assert not ChangeRequest.objects.exists()


def test_an_anonymous_post_with_a_key_is_refused_as_before(db):
    response = client_for().post(LIST, "{}", content_type="application/json", HTTP_IDEMPOTENCY_KEY="anon")
    assert response.status_code == 401 and not IdempotencyKey.objects.exists()


def test_expired_keys_are_forgotten_and_purged(frozen, requester, settings):
    client, body = token_client(requester), f.complete_fields()
    first = post(client, LIST, body, "old-key")
    assert first.status_code == 201

    frozen.shift(timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS, seconds=1))
    assert purge_idempotency_keys() == 1 and purge_idempotency_keys() == 0
    again = post(client, LIST, body, "old-key")

    assert again.status_code == 201 and again.json()["id"] != first.json()["id"]
    assert IdempotencyKey.objects.count() == 1


@pytest.mark.django_db
def test_the_purge_runs_from_beat():
    job = PeriodicTask.objects.get(task="changemgmt.purge_idempotency_keys")
    assert job.enabled and job.interval.every == 1 and job.interval.period == "hours"


def test_the_schema_documents_the_header_on_every_post(auditor):
    schema = client_for(auditor).get("/api/schema/?format=json").json()
    posts = [(path, ops["post"]) for path, ops in schema["paths"].items()
             if "post" in ops and path not in OWN_KEY_PATHS]

    assert len(posts) > 10
    for path, operation in posts:
        headers = [p for p in operation["parameters"] if p["in"] == "header"]
        assert [p["name"] for p in headers] == ["Idempotency-Key"], path
        assert {"409", "422"} <= set(operation["responses"]), path
    assert all("Idempotency-Key" not in json.dumps(ops["get"]) for ops in schema["paths"].values() if "get" in ops)
    # the pipeline gate is idempotent by its own key (pipeline, run, environment) and takes none
    assert all("Idempotency-Key" not in json.dumps(schema["paths"][path]) for path in OWN_KEY_PATHS)


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_never_both_write(requester):
    """Real threads on PostgreSQL: the loser waits on the key's unique index, then is told the first
    is in progress (409) or, if the first has finished, gets its answer; one change is filed."""
    if connection.vendor != "postgresql":
        pytest.skip("Concurrent requests race only on PostgreSQL (SQLite serializes writers)")
    _token, plain = issue_token(user=requester, name="race")
    body = json.dumps(f.complete_fields())
    headers = {"HTTP_AUTHORIZATION": f"Bearer {plain}"}
    for round_ in range(ROUNDS):
        key = f"race-{round_}"
        answers = race(*[lambda key=key: APIClient().post(LIST, body, content_type="application/json",
                                                          HTTP_IDEMPOTENCY_KEY=key, **headers)
                         for _ in range(2)])
        statuses = sorted(answer.status_code for answer in answers)
        assert statuses in ([201, 201], [201, 409]), [a.content[:300] for a in answers]
        assert len({a.content for a in answers if a.status_code == 201}) == 1
        assert ChangeRequest.objects.count() == round_ + 1


def test_a_session_post_without_its_csrf_token_gets_no_replay(frozen, requester):
    body = f.complete_fields()
    assert post(client_for(requester), LIST, body, "csrf-key").status_code == 201

    forged = post(client_for(requester, csrf=True), LIST, body, "csrf-key")

    assert forged.status_code == 403 and not forged.has_header("Idempotent-Replayed")


def test_a_claim_left_by_a_request_that_died_is_taken_over(frozen, requester, rf):
    """Its transaction rolled back with it (the answer commits with the write), so running again is safe."""
    body = json.dumps(f.complete_fields()).encode()
    died = timezone.now() - idempotency.LEASE - timedelta(seconds=1)
    IdempotencyKey.objects.create(
        user=requester, key="orphan", method="POST", path=LIST, claimed_at=died, expires_at=died + timedelta(hours=24),
        fingerprint=idempotency.fingerprint(rf.post(LIST, body, content_type="application/json"), body))

    response = client_for(requester).post(LIST, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="orphan")

    assert response.status_code == 201 and IdempotencyKey.objects.get().status_code == 201


def test_a_users_session_and_tokens_share_their_keys(frozen, requester):
    body = f.complete_fields()
    first = post(token_client(requester), LIST, body, "one-user")

    _same_answer(first, post(client_for(requester), LIST, body, "one-user"))
    assert ChangeRequest.objects.count() == 1
