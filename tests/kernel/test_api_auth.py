"""Who the API lets in: hashed, revocable bearer tokens; browser sessions with CSRF; the schema."""
import pytest
from rest_framework.test import APIClient

from changemgmt.models import ApiToken, LedgerEntry
from changemgmt.people_services import issue_token, revoke_token
from tests.support import factories as f
from tests.support.api import assert_nothing_written, client_for, post_json, rows


def bearer(plain: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")
    return client


def test_a_valid_token_reads_and_writes_without_csrf(frozen, requester):
    _token, plain = issue_token(user=requester, name="ci")
    assert bearer(plain).get("/api/changes/").status_code == 200
    assert post_json(bearer(plain), "/api/changes/", f.complete_fields()).status_code == 201
    assert ApiToken.objects.get(prefix=_token.prefix).last_used_at is not None


def test_only_the_hash_of_a_token_is_stored(requester):
    token, plain = issue_token(user=requester, name="ci")
    assert plain not in token.key_hash and not ApiToken.objects.filter(key_hash=plain).exists()
    assert LedgerEntry.objects.filter(action="api_token.issued").exists()


@pytest.mark.parametrize("header", [
    "Bearer cm_deadbeef_not-the-secret",
    "Bearer garbage",
    "Bearer ",
])
def test_a_wrong_token_is_401(requester, header):
    issue_token(user=requester, name="ci")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/changes/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


def test_a_right_prefix_with_a_wrong_secret_is_401(requester):
    token, plain = issue_token(user=requester, name="ci")
    assert bearer(f"cm_{token.prefix}_wrong-secret").get("/api/changes/").status_code == 401


def test_a_revoked_token_is_401(requester):
    token, plain = issue_token(user=requester, name="ci")
    revoke_token(token_id=token.pk, actor=requester)
    before = rows()
    response = post_json(bearer(plain), "/api/changes/", f.complete_fields())
    assert response.status_code == 401 and "revoked" in response.json()["detail"]
    assert bearer(plain).get("/api/changes/").status_code == 401
    assert_nothing_written(before)


def test_a_token_of_a_deactivated_user_is_401(requester):
    _token, plain = issue_token(user=requester, name="ci")
    requester.is_active = False
    requester.save()
    assert bearer(plain).get("/api/changes/").status_code == 401


def test_a_token_of_a_user_without_role_is_403(outsider):
    _token, plain = issue_token(user=outsider, name="ci")
    assert bearer(plain).get("/api/changes/").status_code == 403


def test_a_browser_session_reads_and_must_send_its_csrf_token_to_write(frozen, requester):
    client = client_for(requester, csrf=True)
    assert client.get("/api/changes/").status_code == 200
    before = rows()
    response = post_json(client, "/api/changes/", f.complete_fields())
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]
    assert_nothing_written(before)
    # With the cookie a browser holds and the header a page script sends, the same write is accepted.
    from django.middleware.csrf import _get_new_csrf_string

    secret = _get_new_csrf_string()
    client.cookies["csrftoken"] = secret
    response = client.post("/api/changes/", f.complete_fields(), format="json", HTTP_X_CSRFTOKEN=secret)
    assert response.status_code == 201, response.content


def test_the_schema_of_these_endpoints_generates_without_warnings_or_errors():
    """drf-spectacular reports every guess it could not make; the change and approval endpoints
    must leave none (other areas' endpoints are checked by their own tests)."""
    from django.urls import include, path
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator

    patterns = [path("api/", include("changes.api.urls")), path("api/", include("approvals.api.urls"))]
    GENERATOR_STATS.reset()
    schema = SchemaGenerator(patterns=patterns).get_schema(request=None, public=True)
    assert dict(GENERATOR_STATS._warn_cache) == {} and dict(GENERATOR_STATS._error_cache) == {}
    assert "/api/changes/{id}/transitions/deploy/" in schema["paths"]
    assert "GateRefused" in schema["components"]["schemas"]


def test_the_schema_documents_transition_bodies_and_the_409_body(auditor):
    schema = client_for(auditor).get("/api/schema/?format=json").json()
    components = schema["components"]["schemas"]
    deploy = schema["paths"]["/api/changes/{id}/transitions/deploy/"]["post"]
    assert deploy["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("DeployInputRequest")
    assert set(components["DeployInputRequest"]["properties"]) >= {"predeploy_checklist", "deployment_method"}
    assert set(components["CloseInputRequest"]["properties"]) >= {"outcome", "review_answers", "lessons_learned"}
    assert deploy["responses"]["409"]["content"]["application/json"]["schema"]["$ref"].endswith("GateRefused")
    assert set(components["MissingItem"]["properties"]) == {"code", "message", "policy"}
    assert "bearerToken" in schema["components"]["securitySchemes"]
    decide = schema["paths"]["/api/approvals/{slot_id}/decide/"]["post"]
    assert set(decide["responses"]) >= {"200", "400", "403", "404", "409"}


def test_schema_and_docs_need_a_role(outsider, auditor):
    for url in ["/api/schema/", "/api/docs/"]:
        assert APIClient().get(url).status_code in (401, 403)
        assert client_for(outsider).get(url).status_code == 403
        assert client_for(auditor).get(url).status_code == 200
