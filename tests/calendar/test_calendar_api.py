"""The calendar API: windows, freezes with preview, conflicts of a change, next slots, events."""
from datetime import datetime

import pytest

from changes import services
from changes.calendar.models import DeploymentWindow, Freeze
from tests.support import factories as f
from tests.support.api import authenticated as api

NY = f.NY



def test_windows_list_and_edit_with_refusals(admin_user, requester, auditor):
    assert len(api(auditor).get("/api/calendar/windows/").json()) == 4
    created = api(admin_user).post("/api/calendar/windows/", {"weekday": 4, "starts": "06:00", "ends": "08:00",
                                                              "risks": ["low"]}, format="json")
    assert created.status_code == 201 and created.json()["weekday_name"] == "Friday"
    bad = api(admin_user).post("/api/calendar/windows/", {"weekday": 4, "starts": "09:00", "ends": "07:00",
                                                          "risks": ["low"]}, format="json")
    assert bad.status_code == 400 and "ends" in bad.json()
    overlap = api(admin_user).patch(f"/api/calendar/windows/{created.json()['id']}/", {"ends": "11:00",
                                    "weekday": 0}, format="json")
    assert overlap.status_code == 400 and "Overlaps" in str(overlap.json())
    assert api(requester).post("/api/calendar/windows/", {"weekday": 5, "starts": "06:00", "ends": "08:00",
                                                          "risks": ["low"]}, format="json").status_code == 403
    assert api(auditor).delete(f"/api/calendar/windows/{created.json()['id']}/").status_code == 403
    assert api(admin_user).delete(f"/api/calendar/windows/{created.json()['id']}/").status_code == 204
    assert not DeploymentWindow.objects.filter(weekday=4).exists()


def freeze_body(**overrides):
    body = {"name": "Year-end", "reason": "Finance close", "kind": "soft",
            "starts_at": "2026-12-01T00:00:00-05:00", "ends_at": "2026-12-02T00:00:00-05:00", "services": []}
    body.update(overrides)
    return body


def test_freeze_preview_then_announce(frozen, requester, cab_chair):
    change = services.create_change(actor=requester, data=f.complete_fields())
    preview = api(cab_chair).post("/api/calendar/freezes/preview/", freeze_body(), format="json")
    assert preview.status_code == 200 and [c["id"] for c in preview.json()["caught"]] == [change.pk]
    assert not Freeze.objects.exists()
    announced = api(cab_chair).post("/api/calendar/freezes/", freeze_body(), format="json")
    assert announced.status_code == 201 and announced.json()["freeze"]["id"] == Freeze.objects.get().pk
    listed = api(requester).get("/api/calendar/freezes/", {"start": "2026-11-29T00:00:00Z",
                                                            "end": "2026-12-03T00:00:00Z"}).json()
    assert {p["name"] for p in listed} >= {"Year-end", "End of month November 2026"}


@pytest.mark.parametrize(("body", "field"), [
    (freeze_body(reason=""), "reason"), (freeze_body(services=[424242]), "services"),
    (freeze_body(ends_at="2026-11-30T00:00:00Z"), "ends_at"), (freeze_body(colour="blue"), "colour"),
])
def test_bad_freezes_are_400_by_field(cab_chair, body, field):
    response = api(cab_chair).post("/api/calendar/freezes/", body, format="json")
    assert response.status_code == 400 and field in response.json()


def test_conflicts_of_a_change(frozen, requester, peer):
    first = services.create_change(actor=requester, data=f.complete_fields())
    second = services.create_change(actor=peer, data=f.complete_fields(title="Other"))
    [row] = api(requester).get(f"/api/changes/{first.pk}/conflicts/").json()
    assert row["other"]["id"] == second.pk and row["shared"]["services"] == ["payments-api"]
    [row] = api(requester).get(f"/api/changes/{second.pk}/conflicts/").json()
    assert row["other"]["id"] == first.pk
    assert api(requester).get("/api/changes/999999/conflicts/").status_code == 404


def test_next_slots(frozen, requester, outsider):
    change = services.create_change(actor=requester, data=f.complete_fields())
    body = api(requester).get(f"/api/changes/{change.pk}/next-slots/", {"count": 2}).json()
    assert [s["start"] for s in body["slots"]] == ["2026-11-25T11:00:00Z", "2026-11-25T11:30:00Z"]
    assert api(requester).get(f"/api/changes/{change.pk}/next-slots/", {"count": "x"}).status_code == 400
    assert api(outsider).get(f"/api/changes/{change.pk}/next-slots/").status_code == 403


def test_events_in_a_range_with_filters(frozen, requester):
    change = services.create_change(actor=requester, data=f.complete_fields())
    other = f.make_service("search")
    body = api(requester).get("/api/calendar/events/", {"start": "2026-11-30T00:00:00Z",
                                                         "end": "2026-12-07T00:00:00Z"}).json()
    assert [c["id"] for c in body["changes"]] == [change.pk]
    assert len(body["windows"]) == 4 and any(p["kind"] == "soft" for p in body["freezes"])
    filtered = api(requester).get("/api/calendar/events/", {"start": "2026-11-30T00:00:00Z",
                                                             "end": "2026-12-07T00:00:00Z", "service": other.pk})
    assert filtered.json()["changes"] == []
    assert api(requester).get("/api/calendar/events/", {"start": "2026-12-07T00:00:00Z",
                                                         "end": "2026-11-30T00:00:00Z"}).status_code == 400
    assert api(requester).get("/api/calendar/events/", {"risk": "extreme"}).status_code == 400
    assert datetime.fromisoformat(body["changes"][0]["planned_start"]) == f.PLANNED_START


def test_a_freeze_naming_a_service_id_too_large_for_the_database_is_400(frozen, cab_chair):
    for url in ("/api/calendar/freezes/preview/", "/api/calendar/freezes/"):
        response = api(cab_chair).post(url, freeze_body(services=[2 ** 63]), format="json")
        assert response.status_code == 400 and response.json()["services"] == ["No such id."]
    assert not Freeze.objects.exists()
