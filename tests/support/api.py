"""Reusable pieces for API tests: clients per persona, a "nothing was written" snapshot, and
contract mixins every API resource can reuse (access rules and query counts at two data sizes)."""
import json

from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from approvals.models import ApprovalSlot
from changemgmt.models import LedgerEntry
from changemgmt.people_services import issue_token
from changes.models import ChangeRequest, RollbackRecord, TestEvidence


def client_for(user=None, *, csrf: bool = False) -> APIClient:
    """A session client logged in as `user` (anonymous when None). `csrf=True` enforces CSRF as a
    browser session would meet it."""
    client = APIClient(enforce_csrf_checks=csrf)
    if user is not None:
        client.force_login(user)
    return client


def authenticated(user) -> APIClient:
    """A client acting as `user` without a session (DRF's force_authenticate): no login queries."""
    client = APIClient()
    client.force_authenticate(user)
    return client


def token_client(user) -> APIClient:
    """A client authenticating with a freshly issued bearer token (no session, no CSRF)."""
    _token, plain = issue_token(user=user, name="tests")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")
    return client


def post_json(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def patch_json(client, url, body):
    return client.patch(url, json.dumps(body), content_type="application/json")


WRITTEN = {
    "changes": ChangeRequest, "ledger": LedgerEntry, "slots": ApprovalSlot, "evidence": TestEvidence,
    "rollbacks": RollbackRecord, "change_history": ChangeRequest.history.model,
}


def rows() -> dict[str, int]:
    """Row counts of everything an API write may touch, to prove a refused request wrote nothing."""
    return {name: model.objects.count() for name, model in WRITTEN.items()}


def assert_nothing_written(before: dict[str, int]) -> None:
    assert rows() == before


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return len(captured)


class ReadAccessContract:
    """Mixin: a readable resource answers 401 to the anonymous, 403 to a user without a role and
    200 to an auditor. Subclasses provide the `url` fixture."""

    def test_anonymous_caller_is_asked_to_authenticate(self, url):
        assert client_for().get(url).status_code == 401

    def test_user_without_role_is_refused(self, url, outsider):
        response = client_for(outsider).get(url)
        assert response.status_code == 403
        assert "role" in response.json()["detail"]

    def test_auditor_reads(self, url, auditor):
        assert client_for(auditor).get(url).status_code == 200


class QueryCountContract:
    """Mixin: the number of queries a GET costs does not grow with the data behind it.
    Subclasses provide `url` and `grow(step)`, which adds rows that the response shows."""

    reader = "auditor"

    def grow(self, step: int) -> None:
        raise NotImplementedError

    def test_query_count_does_not_grow_with_the_data(self, request, url):
        client = client_for(request.getfixturevalue(self.reader))
        self.grow(1)
        small = queries_for(client, url)
        self.grow(2)
        large = queries_for(client, url)
        assert small == large
