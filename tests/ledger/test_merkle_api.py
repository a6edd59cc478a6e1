"""The Merkle API for auditors and administrators: tree heads, inclusion and consistency proofs,
documented in the OpenAPI schema; everyone else is refused, bad input is a 400 naming the field."""
import pytest
from django.db import transaction
from rest_framework.test import APIClient

from changemgmt import ledger
from changemgmt.ledger import merkle_verify
from changemgmt.ledger import tree_heads as merkle_heads
from changemgmt.models import TreeHead
from tests.support.schema import documented_paths, generate

HEADS = "/api/ledger/tree-heads/"
CONSISTENCY = "/api/ledger/consistency-proof/"


def inclusion_url(seq: int) -> str:
    return f"/api/ledger/entries/{seq}/inclusion-proof/"


@pytest.fixture(autouse=True)
def _own_key(settings, tmp_path):
    settings.LEDGER_SIGNING_KEY_FILE = str(tmp_path / "keys" / "ledger-signing-key.pem")
    settings.LEDGER_SIGNING_KEY_AUTOGENERATE = True


@pytest.fixture
def signed(db):
    """Two heads: 4 entries, then 9 (each signing is an entry of its own)."""
    for size in (4, 4):
        for i in range(size):
            with transaction.atomic():
                ledger.append(actor=None, action="test.note", subject=f"thing:{i}")
        merkle_heads.sign_tree_head()
    return list(TreeHead.objects.order_by("tree_size"))


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_auditors_read_the_tree_heads_newest_first(signed, auditor):
    response = api(auditor).get(HEADS)
    assert response.status_code == 200
    assert response.json()["results"] == [merkle_heads.head_document(head) for head in reversed(signed)]


@pytest.mark.parametrize("url", [HEADS, inclusion_url(1) + "?tree_size=4", CONSISTENCY + "?first=4&second=9"])
def test_only_auditors_and_administrators_may_read(signed, auditor, admin_user, requester, manager, url):
    assert api(auditor).get(url).status_code == 200
    assert api(admin_user).get(url).status_code == 200
    for refused in (requester, manager):
        response = api(refused).get(url)
        assert response.status_code == 403 and "auditors and administrators" in response.json()["detail"]
    assert APIClient().get(url).status_code in (401, 403)


def test_nothing_is_written_through_these_endpoints(signed, admin_user):
    assert api(admin_user).post(HEADS, {}, format="json").status_code == 405
    assert TreeHead.objects.count() == 2


def test_an_inclusion_proof_verifies_against_its_signed_head(signed, auditor):
    body = api(auditor).get(inclusion_url(3)).json()  # default: the latest head's size
    assert (body["seq"], body["leaf_index"], body["tree_size"]) == (3, 2, 9)
    assert body["tree_head"] == merkle_heads.head_document(signed[1])
    assert merkle_verify.check_inclusion(body["entry"], body, body["tree_head"]) is None
    unsigned = api(auditor).get(inclusion_url(3), {"tree_size": 7}).json()
    assert unsigned["tree_head"] is None and len(unsigned["proof"]) == 3


def test_a_consistency_proof_verifies_between_two_heads(signed, auditor):
    body = api(auditor).get(CONSISTENCY, {"first": 4, "second": 9}).json()
    old, new = (merkle_heads.head_document(head) for head in signed)
    assert merkle_verify.check_consistency(old, new, body) is None


@pytest.mark.parametrize(("url", "params", "field"), [
    (inclusion_url(3), {"tree_size": "many"}, "tree_size"),
    (inclusion_url(3), {"tree_size": 0}, "tree_size"),
    (inclusion_url(3), {"tree_size": 50}, "tree_size"),
    (inclusion_url(8), {"tree_size": 4}, "tree_size"),
    (CONSISTENCY, {"second": 9}, "first"),
    (CONSISTENCY, {"first": 9, "second": 4}, "first"),
    (CONSISTENCY, {"first": 1, "second": 99}, "second"),
])
def test_bad_input_is_a_400_naming_the_field(signed, auditor, url, params, field):
    response = api(auditor).get(url, params)
    assert response.status_code == 400 and field in response.json(), response.json()


def test_an_unknown_entry_is_a_404(signed, auditor):
    assert api(auditor).get(inclusion_url(0), {"tree_size": 4}).status_code == 404


def test_without_a_signed_head_the_tree_size_must_be_named(db, auditor):
    with transaction.atomic():
        ledger.append(actor=None, action="test.note", subject="thing:1")
    response = api(auditor).get(inclusion_url(1))
    assert response.status_code == 400 and "No tree head" in response.json()["tree_size"][0]


def test_the_endpoints_are_in_the_openapi_schema_without_warnings():
    schema = generate(["changemgmt.ledger.api.urls"])
    assert schema["_warnings"] == {} and schema["_errors"] == {}
    for route in documented_paths("changemgmt.ledger.api.urls"):
        operation = schema["paths"][route]["get"]
        assert {"200", "403"} <= set(operation["responses"]), route
    proof = schema["paths"]["/api/ledger/entries/{seq}/inclusion-proof/"]["get"]
    assert [p["name"] for p in proof["parameters"] if p["in"] == "query"] == ["tree_size"]
