"""Lifting an announced freeze: those who may announce one may lift it, for a reason; it ends at once,
one ledger entry and the row history record it, the owners of the changes it still catches are told,
and a refused lift writes nothing. Doors: the service, the API, the calendar page and the admin."""
from datetime import datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from changemgmt.errors import Conflict
from changemgmt.models import LedgerEntry, Notification, NotificationKind
from changes import services
from changes.calendar import schedule
from changes.calendar import services as calendar_services
from changes.calendar.models import Freeze
from changes.choices import State
from tests.support import factories as f
from tests.support.api import authenticated as api
from tests.support.calendar import ready_change


def _announce(actor, **overrides) -> Freeze:
    """A hard freeze over every service, around the changes the test files (planned from NOW)."""
    data = {"name": "Payments freeze", "reason": "Card network migration", "kind": "hard",
            "starts_at": (f.NOW - timedelta(hours=1)).isoformat(),
            "ends_at": (f.PLANNED_END + timedelta(days=1)).isoformat(), "services": [], **overrides}
    return calendar_services.announce_freeze(actor=actor, data=data).freeze


def _lifts() -> list[LedgerEntry]:
    return list(LedgerEntry.objects.filter(action="calendar.freeze_lifted"))


def _writes_nothing(freeze):
    freeze.refresh_from_db()
    assert freeze.lifted_at is None and freeze.lift_reason == ""
    assert not _lifts() and freeze.history.count() == 1


def test_lifting_ends_the_freeze_now_with_one_ledger_entry_history_and_owners_told(frozen, requester, cab_chair):
    change = services.create_change(actor=requester, data=f.complete_fields())
    freeze = _announce(cab_chair)
    assert schedule.freeze_violations(change_type="normal", start=f.PLANNED_START, end=f.PLANNED_END,
                                      service_ids=[f.make_service().pk])

    lifted = calendar_services.lift_freeze(actor=cab_chair, freeze_id=freeze.pk, reason="  Migration moved  ")

    freeze.refresh_from_db()
    assert (freeze.lifted_at, freeze.lifted_by, freeze.lift_reason) == (f.NOW, cab_chair, "Migration moved")
    assert [c.pk for c in lifted.told] == [change.pk]
    [entry] = _lifts()
    assert entry.actor == cab_chair and entry.payload["reason"] == "Migration moved"
    assert entry.payload["told"] == [change.reference]
    assert freeze.history.first().lift_reason == "Migration moved" and freeze.history.count() == 2
    note = Notification.objects.get(user=requester, title=f"{change.reference}: freeze lifted")
    assert note.kind == NotificationKind.FREEZE_LIFTED and "Migration moved" in note.body
    [period] = schedule.announced_freezes(f.NOW - timedelta(hours=1), f.PLANNED_END)
    assert period.ends_at == f.NOW and period.lifted_at == f.NOW
    assert schedule.freeze_violations(change_type="normal", start=f.PLANNED_START, end=f.PLANNED_END,
                                      service_ids=[f.make_service().pk]) == []


def test_a_freeze_lifted_before_it_starts_never_applies(frozen, cab_chair):
    freeze = _announce(cab_chair, starts_at=f.PLANNED_START.isoformat())
    calendar_services.lift_freeze(actor=cab_chair, freeze_id=freeze.pk, reason="Not needed after all")
    assert schedule.announced_freezes(f.NOW, f.PLANNED_END + timedelta(days=2)) == []


def test_a_held_change_stays_in_testing_and_its_owner_is_told(frozen, requester, peer, peer2, cab_chair):
    ready = ready_change(requester, peer, peer2)
    freeze = _announce(cab_chair)
    assert f.reload(ready).state == State.TESTING
    calendar_services.lift_freeze(actor=cab_chair, freeze_id=freeze.pk, reason="Migration moved")
    assert f.reload(ready).state == State.TESTING
    assert Notification.objects.filter(user=requester, title=f"{ready.reference}: freeze lifted").exists()


def test_requesters_auditors_and_outsiders_cannot_lift_and_nothing_is_written(frozen, cab_chair, requester,
                                                                             auditor, outsider):
    freeze = _announce(cab_chair)
    for user in (requester, auditor, outsider):
        with pytest.raises(PermissionDenied):
            calendar_services.lift_freeze(actor=user, freeze_id=freeze.pk, reason="Because")
    _writes_nothing(freeze)


def test_the_roles_that_announce_freezes_may_lift_them(frozen, cab_chair, manager, admin_user):
    for user in (manager, admin_user):
        freeze = _announce(cab_chair, name=f"Freeze for {user.username}")
        calendar_services.lift_freeze(actor=user, freeze_id=freeze.pk, reason="Done")
    assert len(_lifts()) == 2


def test_a_lift_without_a_reason_is_refused_naming_the_field(frozen, cab_chair):
    freeze = _announce(cab_chair)
    with pytest.raises(ValidationError) as refusal:
        calendar_services.lift_freeze(actor=cab_chair, freeze_id=freeze.pk, reason="   ")
    assert "reason" in refusal.value.message_dict
    _writes_nothing(freeze)


def test_a_freeze_already_lifted_or_over_cannot_be_lifted(frozen, cab_chair):
    freeze = _announce(cab_chair)
    calendar_services.lift_freeze(actor=cab_chair, freeze_id=freeze.pk, reason="Migration moved")
    with pytest.raises(Conflict, match="already lifted"):
        calendar_services.lift_freeze(actor=cab_chair, freeze_id=freeze.pk, reason="Again")
    over = _announce(cab_chair, name="Short", ends_at=(f.NOW + timedelta(minutes=5)).isoformat())
    frozen.move_to(f.NOW + timedelta(minutes=10))
    with pytest.raises(Conflict, match="already over"):
        calendar_services.lift_freeze(actor=cab_chair, freeze_id=over.pk, reason="Late")
    assert len(_lifts()) == 1


# ----- API -----------------------------------------------------------------------------------------

def test_api_lifts_a_freeze_and_answers_what_was_told(frozen, requester, cab_chair):
    change = services.create_change(actor=requester, data=f.complete_fields())
    freeze = _announce(cab_chair)
    response = api(cab_chair).post(f"/api/calendar/freezes/{freeze.pk}/lift/", {"reason": "Migration moved"},
                                   format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == freeze.pk and body["lift_reason"] == "Migration moved" and body["lifted_by"] == cab_chair.pk
    assert [c["id"] for c in body["told"]] == [change.pk]
    assert api(requester).get(f"/api/calendar/freezes/{freeze.pk}/").json()["lifted_at"] is not None
    again = api(cab_chair).post(f"/api/calendar/freezes/{freeze.pk}/lift/", {"reason": "x"}, format="json")
    assert again.status_code == 409 and len(_lifts()) == 1


@pytest.mark.parametrize(("body", "field"), [({}, "reason"), ({"reason": " "}, "reason"),
                                              ({"reason": ["a"]}, "reason"), ({"reason": "x", "why": "y"}, "why")])
def test_api_bad_lift_input_is_400_naming_the_field(frozen, cab_chair, body, field):
    freeze = _announce(cab_chair)
    response = api(cab_chair).post(f"/api/calendar/freezes/{freeze.pk}/lift/", body, format="json")
    assert response.status_code == 400 and field in response.json()
    _writes_nothing(freeze)


def test_api_lift_is_refused_to_requesters_and_auditors_and_404_for_no_freeze(frozen, cab_chair, requester,
                                                                              auditor):
    freeze = _announce(cab_chair)
    for user in (requester, auditor):
        response = api(user).post(f"/api/calendar/freezes/{freeze.pk}/lift/", {"reason": "x"}, format="json")
        assert response.status_code == 403
    assert api(cab_chair).post("/api/calendar/freezes/999999/lift/", {"reason": "x"},
                               format="json").status_code == 404
    _writes_nothing(freeze)


# ----- the calendar page ---------------------------------------------------------------------------

def test_the_calendar_shows_a_lift_button_only_to_those_allowed(frozen, client, cab_chair, requester):
    freeze = _announce(cab_chair)
    client.force_login(cab_chair)
    assert f'action="/calendar/freezes/{freeze.pk}/lift/"'.encode() in client.get("/calendar/").content
    client.force_login(requester)
    page = client.get("/calendar/")
    assert b"Payments freeze" in page.content and b"/lift/" not in page.content


def test_the_page_lifts_a_freeze_with_the_reason_typed(frozen, client, cab_chair):
    freeze = _announce(cab_chair)
    client.force_login(cab_chair)
    response = client.post(f"/calendar/freezes/{freeze.pk}/lift/", {"reason": "Migration moved",
                                                                    "next": "/calendar/?view=list"}, follow=True)
    assert response.redirect_chain[-1][0] == "/calendar/?view=list"
    assert "Freeze “Payments freeze” lifted" in response.content.decode()
    freeze.refresh_from_db()
    assert freeze.lift_reason == "Migration moved" and len(_lifts()) == 1
    assert b"lifted " in response.content and b"/lift/" not in response.content


def test_the_page_refuses_a_blank_reason_and_other_roles_writing_nothing(frozen, client, cab_chair, requester):
    freeze = _announce(cab_chair)
    client.force_login(cab_chair)
    response = client.post(f"/calendar/freezes/{freeze.pk}/lift/", {"reason": " ", "next": "https://evil.example/"},
                           follow=True)
    assert response.redirect_chain[-1][0] == "/calendar/"
    assert "Lifting a freeze needs a reason." in response.content.decode()
    client.force_login(requester)
    assert client.post(f"/calendar/freezes/{freeze.pk}/lift/", {"reason": "x"}).status_code == 403
    _writes_nothing(freeze)


# ----- the admin -----------------------------------------------------------------------------------

def _admin_lift(admin_client, freeze, reason):
    return admin_client.post("/admin/changes/freeze/", {
        "action": "lift_selected", "_selected_action": [freeze.pk], "reason": reason}, follow=True)


def test_the_admin_lifts_a_freeze_through_the_service(frozen, admin_client, admin_user, cab_chair):
    freeze = _announce(cab_chair)
    response = _admin_lift(admin_client, freeze, "Migration moved")
    assert "Payments freeze: lifted; 0 change owner(s) told." in [str(m) for m in response.context["messages"]]
    freeze.refresh_from_db()
    assert freeze.lifted_by == admin_user and [e.actor for e in _lifts()] == [admin_user]


def test_the_admin_refuses_a_lift_without_a_reason(frozen, admin_client, cab_chair):
    freeze = _announce(cab_chair)
    response = _admin_lift(admin_client, freeze, "")
    assert any("needs a reason" in str(m) for m in response.context["messages"])
    _writes_nothing(freeze)


def test_lifted_freezes_keep_their_times_in_the_row_and_are_listed_with_the_lift(frozen, requester, cab_chair):
    freeze = _announce(cab_chair)
    calendar_services.lift_freeze(actor=cab_chair, freeze_id=freeze.pk, reason="Migration moved")
    listed = api(requester).get("/api/calendar/freezes/", {"start": (f.NOW - timedelta(hours=2)).isoformat(),
                                                            "end": (f.NOW + timedelta(hours=2)).isoformat()}).json()
    [mine] = [p for p in listed if p["id"] == freeze.pk]
    assert datetime.fromisoformat(mine["ends_at"]) == f.NOW
    assert Freeze.objects.get(pk=freeze.pk).ends_at == f.PLANNED_END + timedelta(days=1)
