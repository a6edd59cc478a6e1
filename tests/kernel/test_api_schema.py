"""The OpenAPI schema of the calendar and CAB endpoints: generated without a single guess
(drf-spectacular warning or error), every endpoint listed, and the documented bodies match what the
endpoints really answer (so /api/docs/ does not drift from the code)."""

import pytest

from changes import services
from changes.calendar.api import serializers as doc
from tests.support import factories as f
from tests.support.api import authenticated as api
from tests.support.schema import documented_paths, generate

URLCONFS = ["changes.calendar.api.urls", "cab.api.urls"]




@pytest.fixture(scope="module")
def schema():
    return generate(URLCONFS)


def test_calendar_and_cab_schema_has_no_warnings_or_errors(schema):
    assert schema["_warnings"] == {} and schema["_errors"] == {}


@pytest.mark.parametrize("urlconf", URLCONFS)
def test_every_calendar_and_cab_endpoint_is_documented_with_a_body(schema, urlconf):
    for route in documented_paths(urlconf):
        assert route in schema["paths"], route
        for method, operation in schema["paths"][route].items():
            ok = {code: r for code, r in operation["responses"].items() if code.startswith("2")}
            assert ok, (route, method)
            assert all("content" in r for code, r in ok.items() if code != "204"), (route, method)
            assert {"403"} <= set(operation["responses"]), (route, method)


def test_operation_ids_are_unique_and_named(schema):
    ids = [op["operationId"] for item in schema["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids))
    assert {"calendar_windows_list", "calendar_windows_retrieve", "calendar_freezes_list",
            "calendar_freezes_retrieve"} <= set(ids)


def test_write_endpoints_document_their_request_bodies(schema):
    components = schema["components"]["schemas"]
    window = schema["paths"]["/api/calendar/windows/"]["post"]["requestBody"]["content"]["application/json"]
    assert set(components[window["schema"]["$ref"].rsplit("/", 1)[1]]["properties"]) == {
        "weekday", "starts", "ends", "risks"}
    notes = schema["paths"]["/api/cab/meetings/{id}/minutes/"]["put"]["requestBody"]["content"]["application/json"]
    assert components[notes["schema"]["$ref"].rsplit("/", 1)[1]]["properties"].keys() == {"notes"}
    assert {"MeetingKindEnum", "MeetingStatusEnum", "FreezeKindEnum", "DecisionOutcomeEnum"} <= set(components)


def fields(serializer_class) -> set[str]:
    return set(serializer_class().fields)


def test_calendar_answers_carry_exactly_the_documented_fields(frozen, requester, peer, cab_chair):
    first = services.create_change(actor=requester, data=f.complete_fields())
    services.create_change(actor=peer, data=f.complete_fields(title="Other"))
    client = api(cab_chair)
    [window, *_] = client.get("/api/calendar/windows/").json()
    assert set(window) == fields(doc.WindowSerializer)
    body = {"name": "Year-end", "reason": "Finance close", "kind": "soft", "starts_at": "2026-12-01T00:00:00-05:00",
            "ends_at": "2026-12-02T00:00:00-05:00", "services": []}
    preview = client.post("/api/calendar/freezes/preview/", body, format="json").json()
    assert set(preview) == fields(doc.FreezePreviewSerializer)
    assert set(preview["freeze"]) == fields(doc.PreviewFreezeSerializer)
    assert set(preview["caught"][0]) == fields(doc.ChangeRefSerializer)
    announced = client.post("/api/calendar/freezes/", body, format="json").json()
    freeze = client.get(f"/api/calendar/freezes/{announced['freeze']['id']}/").json()
    assert set(freeze) == fields(doc.FreezePeriodSerializer)
    [conflict] = client.get(f"/api/changes/{first.pk}/conflicts/").json()
    assert set(conflict) == fields(doc.ConflictSerializer)
    slots = client.get(f"/api/changes/{first.pk}/next-slots/", {"count": 1}).json()
    assert set(slots) == fields(doc.NextSlotsSerializer) and set(slots["slots"][0]) == fields(doc.TimeSlotSerializer)
    events = client.get("/api/calendar/events/", {"start": "2026-11-30T00:00:00Z", "end": "2026-12-07T00:00:00Z"})
    events = events.json()
    assert set(events) == fields(doc.EventsSerializer)
    assert set(events["changes"][0]) == fields(doc.EventChangeSerializer)
    assert set(events["windows"][0]) == fields(doc.WindowOccurrenceSerializer)
    assert set(events["freezes"][0]) == fields(doc.FreezePeriodSerializer)


def test_the_whole_api_schema_declares_what_to_do_next_with_a_created_object():
    """OpenAPI links (changemgmt.api.links), which clients and tests/kernel/test_api_schemathesis.py follow."""
    whole = generate(["changemgmt.api.urls"])
    assert whole["_warnings"] == {} and whole["_errors"] == {}
    created = whole["paths"]["/api/changes/"]["post"]["responses"]["201"]["links"]
    assert created["changes_transition_submit"] == {"operationId": "changes_transition_submit",
                                                    "parameters": {"id": "$response.body#/id"}}
    freeze = whole["paths"]["/api/calendar/freezes/"]["post"]["responses"]["201"]["links"]
    assert freeze["calendar_freezes_retrieve"]["parameters"] == {"id": "$response.body#/freeze/id"}
