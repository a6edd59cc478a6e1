"""/api/tokens/: the API tokens page's resource over the API. Each user lists, issues and revokes their
own tokens (people_services, one ledger entry each); the secret is in the 201 answer only; only an
administrator issues pipeline tokens, scoped to services; bad input is a 400 naming the field."""
import pytest
from rest_framework.test import APIClient

from changemgmt.models import ApiToken, LedgerEntry
from tests.support import factories as f
from tests.support.api import client_for, post_json

URL = "/api/tokens/"


def ledger_count() -> int:
    return LedgerEntry.objects.count()


def test_a_user_issues_lists_and_revokes_their_own_token(requester, peer):
    client = client_for(requester)
    issued = post_json(client, URL, {"name": "deploy script"})
    assert issued.status_code == 201 and issued["Cache-Control"] == "no-store"
    body = issued.json()
    assert body["token"].startswith(f"cm_{body['prefix']}_") and body["kind"] == "personal" and body["active"]
    assert LedgerEntry.objects.filter(action="api_token.issued").count() == 1
    bearer = APIClient()
    bearer.credentials(HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    assert bearer.get("/api/changes/").status_code == 200
    listed = bearer.get(URL).json()
    assert [row["name"] for row in listed["results"]] == ["deploy script"] and "token" not in listed["results"][0]
    assert client_for(peer).get(URL).json()["results"] == []
    assert client_for(peer).get(f"{URL}{body['id']}/").status_code == 404
    assert post_json(client_for(peer), f"{URL}{body['id']}/revoke/", {}).status_code == 404
    revoked = post_json(client, f"{URL}{body['id']}/revoke/", {})
    assert revoked.status_code == 200 and revoked.json()["active"] is False and revoked.json()["revoked_at"]
    assert LedgerEntry.objects.filter(action="api_token.revoked").count() == 1
    assert bearer.get("/api/changes/").status_code == 401


def test_an_administrator_issues_a_pipeline_token_scoped_to_services(admin_user, requester):
    service = f.make_service()
    answer = post_json(client_for(admin_user), URL, {"name": "payments deploy", "kind": "pipeline",
                                                     "services": [service.pk]})
    assert answer.status_code == 201, answer.json()
    assert answer.json()["kind"] == "pipeline" and answer.json()["services"] == ["payments-api"]
    assert ApiToken.objects.get().services.get() == service
    before = ledger_count()
    refused = post_json(client_for(requester), URL, {"name": "mine", "kind": "pipeline", "services": [service.pk]})
    assert refused.status_code == 403 and ApiToken.objects.count() == 1 and ledger_count() == before


@pytest.mark.parametrize(("body", "field"), [
    ({}, "name"),
    ({"name": "   "}, "name"),
    ({"name": "x" * 101}, "name"),
    ({"name": 5}, "name"),
    ({"name": "ci", "kind": "root"}, "kind"),
    ({"name": "ci", "kind": "pipeline", "services": []}, "services"),
    ({"name": "ci", "kind": "pipeline", "services": [987654]}, "services"),
    ({"name": "ci", "services": ["x"]}, "services"),
    ({"name": "ci", "scope": "all"}, "scope"),
])
def test_bad_input_is_a_400_naming_the_field_with_nothing_written(admin_user, body, field):
    before = ledger_count()
    answer = post_json(client_for(admin_user), URL, body)
    assert answer.status_code == 400 and field in answer.json(), answer.json()
    assert not ApiToken.objects.exists() and ledger_count() == before


def test_the_admin_list_shows_each_tokens_kind_and_services(admin_client, admin_user):
    from changemgmt.people_services import issue_token

    issue_token(user=admin_user, name="payments deploy", kind="pipeline", service_ids=[f.make_service().pk])
    page = admin_client.get("/admin/changemgmt/apitoken/").content.decode()
    assert "Pipeline" in page and "payments-api" in page
