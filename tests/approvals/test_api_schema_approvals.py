"""The OpenAPI schema of the approval queue, delegation and emergency endpoints: generated without a
single guess (drf-spectacular warning or error), every endpoint listed with its bodies, and the
documented answers match what the endpoints really return."""

import pytest

from changes.emergency.api import serializers as emergency_doc
from tests.support.api import authenticated as api
from tests.support.emergency import deployed_emergency, emergency_change
from tests.support.schema import documented_paths, generate

URLCONFS = ["approvals.api.urls", "changes.emergency.api.urls"]
WRITES = {"/api/approvals/delegations/": "DelegationRequestRequest",
          "/api/approvals/emergency/{change_id}/authorizations/": "AuthorizationRequestRequest",
          "/api/approvals/emergency/{change_id}/root-cause/": "RootCauseRequestRequest"}




@pytest.fixture(scope="module")
def schema():
    return generate(URLCONFS)


def test_approvals_schema_has_no_warnings_or_errors(schema):
    assert schema["_warnings"] == {} and schema["_errors"] == {}


@pytest.mark.parametrize("urlconf", URLCONFS)
def test_every_approvals_endpoint_is_documented_with_its_answer_and_refusals(schema, urlconf):
    for route in documented_paths(urlconf):
        assert route in schema["paths"], route
        for method, operation in schema["paths"][route].items():
            ok = {code: r for code, r in operation["responses"].items() if code.startswith("2")}
            # every success carries its body, but a 204 (a deleted on-call shift) has none
            assert ok and all("content" in r for code, r in ok.items() if code != "204"), (route, method)
            assert "403" in operation["responses"], (route, method)


def test_write_endpoints_document_their_bodies_and_409(schema):
    components = schema["components"]["schemas"]
    for route, component in WRITES.items():
        body = schema["paths"][route]["post"]["requestBody"]["content"]["application/json"]["schema"]
        assert body["$ref"].endswith(f"/{component}"), route
        assert "400" in schema["paths"][route]["post"]["responses"]
    assert set(components["AuthorizationRequestRequest"]["properties"]) == {
        "authorizer", "role", "how", "authorized_at", "notes"}
    for route in ["/api/approvals/emergency/{change_id}/authorizations/",
                  "/api/approvals/emergency/{change_id}/root-cause/"]:
        assert "409" in schema["paths"][route]["post"]["responses"]
    assert {"SlotRoleEnum", "SlotStatusEnum", "EmergencyRoleEnum"} <= set(components)


def test_queue_filters_are_documented(schema):
    params = {p["name"] for p in schema["paths"]["/api/approvals/mine/"]["get"]["parameters"]}
    assert {"status", "role"} <= params


def fields(serializer_class) -> set[str]:
    return set(serializer_class().fields)


def test_emergency_answers_carry_exactly_the_documented_fields(frozen, author, cto):  # noqa: F811
    change = emergency_change(author)
    authorized = api(author).post(f"/api/approvals/emergency/{change.pk}/authorizations/",
                                  {"authorizer": cto.username, "role": "cto", "how": "phone"}, format="json")
    # Recorded by the author: 202, awaiting the CTO's confirmation, with the same documented fields.
    assert authorized.status_code == 202 and set(authorized.json()) == fields(emergency_doc.AuthorizationSerializer)
    deployed = deployed_emergency(author, cto, title="Second outage")
    listing = api(author).get("/api/approvals/emergency/").json()
    assert set(listing) == fields(emergency_doc.PaperworkListSerializer)
    assert set(listing["rate"]) == fields(emergency_doc.EmergencyRateSerializer)
    assert set(listing["results"][0]) == fields(emergency_doc.PaperworkSerializer)
    rca = api(author).post(f"/api/approvals/emergency/{deployed.pk}/root-cause/", {"root_cause": "Expired cert"},
                           format="json")
    assert rca.status_code == 200 and set(rca.json()) == fields(emergency_doc.PaperworkSerializer)
