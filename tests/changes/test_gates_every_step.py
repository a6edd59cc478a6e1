"""Issue 9 §1: the submit gate holds at every later step. An edit after submission that would break it
is refused with the missing items (service, API, page); after assessment only the schedule, services,
category and triggers move, and moving them re-computes the approval slots (an approved change that
now needs a new approval goes back to approval)."""
from datetime import datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied

from changemgmt.errors import GateRefused
from changemgmt.models import LedgerEntry
from changes import services
from changes.calendar.models import Freeze
from changes.choices import State
from tests.support import factories as f
from tests.support import lifecycle as life
from tests.support.api import authenticated

NY = f.NY


def codes(refusal) -> set[str]:
    return {m.code for m in refusal.value.missing}


def quarter_end_plan() -> dict:
    """The first Tuesday of the end-of-quarter hard freeze after NOW (frozen tests only)."""
    start = datetime(2026, 12, 29, 6, 0, tzinfo=NY)
    return {"planned_start": start.isoformat(), "planned_end": (start + timedelta(hours=1)).isoformat()}


def test_emptying_the_rollback_plan_during_assessment_is_refused_and_writes_nothing(frozen, requester):
    change = life.submitted(requester)
    entries = LedgerEntry.objects.count()
    with pytest.raises(GateRefused) as refusal:
        services.update_change(change_id=change.pk, actor=requester, data={"rollback_plan": ""})
    assert codes(refusal) == {"field_rollback_plan"}
    assert f.reload(change).rollback_plan and LedgerEntry.objects.count() == entries


def test_moving_the_plan_into_the_end_of_quarter_hard_freeze_during_assessment_is_refused(frozen, requester):
    change = life.submitted(requester)
    with pytest.raises(GateRefused) as refusal:
        services.update_change(change_id=change.pk, actor=requester, data=quarter_end_plan())
    assert "hard_freeze" in codes(refusal)
    assert f.reload(change).planned_start == f.PLANNED_START


def test_a_draft_may_still_be_incomplete(frozen, requester):
    change = life.filed(requester)
    saved = services.update_change(change_id=change.pk, actor=requester, data={"rollback_plan": ""})
    assert saved.change.rollback_plan == ""


def test_an_edit_that_keeps_the_gate_is_saved_and_lead_time_counts_from_submission(frozen, requester):
    change = life.submitted(requester)
    services.score_risk(change_id=change.pk, actor=requester, data=f.HIGH_RISK)
    frozen.move_to(f.NOW + timedelta(days=2))  # 5 days before the start: a high-risk plan made now would fail
    saved = services.update_change(change_id=change.pk, actor=requester, data={"title": "Payments API v2.3.1"})
    assert saved.change.title == "Payments API v2.3.1"


def test_the_api_answers_409_with_the_missing_items_for_an_edit_that_breaks_the_gate(frozen, requester):
    change = life.submitted(requester)
    response = authenticated(requester).patch(f"/api/changes/{change.pk}/", {"rollback_plan": " "}, format="json")
    assert response.status_code == 409
    assert [m["code"] for m in response.json()["missing"]] == ["field_rollback_plan"]


def test_the_edit_page_shows_the_refusal_and_saves_nothing(frozen, client, requester):
    change = life.submitted(requester)
    client.force_login(requester)
    data = {**f.complete_fields(), **quarter_end_plan()}
    data["planned_start"] = "2026-12-29T06:00"
    data["planned_end"] = "2026-12-29T07:00"
    response = client.post(f"/changes/{change.pk}/edit/", data)
    assert response.status_code == 409
    assert "Hard freeze" in response.content.decode()
    assert f.reload(change).planned_start == f.PLANNED_START


def test_assess_is_refused_when_a_hard_freeze_announced_since_catches_the_plan(frozen, requester):
    change = life.submitted(requester)
    services.score_risk(change_id=change.pk, actor=requester, data=f.LOW_RISK)
    Freeze.objects.create(name="Payments migration", reason="Core ledger move", kind="hard",
                          starts_at=f.PLANNED_START - timedelta(hours=1), ends_at=f.PLANNED_END + timedelta(hours=1))
    with pytest.raises(GateRefused) as refusal:
        services.run_transition(change_id=change.pk, name="assess", actor=requester)
    assert "hard_freeze" in codes(refusal)


def test_after_assessment_the_approved_plans_stay_as_they_are(frozen, requester, peer, peer2):
    change = life.in_testing(requester, [peer, peer2])
    with pytest.raises(PermissionDenied):
        services.update_change(change_id=change.pk, actor=requester, data={"rollback_plan": "Pray."})


def test_ticking_a_security_trigger_after_approval_asks_for_security_approval_again(
        frozen, requester, peer, peer2, security):
    change = life.in_testing(requester, [peer, peer2])
    saved = services.update_change(change_id=change.pk, actor=requester, data={"security_triggers": ["authn_authz"]})
    assert saved.change.state == State.APPROVAL and saved.change.approved_at is None
    assert "needs approval again" in saved.notices[0]
    assert LedgerEntry.objects.filter(action="change.returned_to_approval").count() == 1
    assert list(change.approval_slots.filter(status="pending").values_list("role", flat=True)) == ["security"]
    change = life.grant_all(saved.change, [security])
    assert change.state == State.TESTING


def test_changing_the_category_in_approval_adds_the_category_reviewer(frozen, requester):
    change = life.in_approval(requester)
    saved = services.update_change(change_id=change.pk, actor=requester, data={"category": "database"})
    assert saved.change.state == State.APPROVAL
    assert change.approval_slots.filter(status="pending", role="dba").exists()


def test_an_edit_of_services_after_approval_over_the_api_recomputes_the_slots(frozen, requester, peer, peer2):
    change = life.in_testing(requester, [peer, peer2])
    other = f.make_service("search-api")
    response = authenticated(requester).patch(f"/api/changes/{change.pk}/",
                                              {"services": [other.pk], "security_triggers": ["network"]},
                                              format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "approval" and response.json()["notices"]


def test_a_change_caught_by_a_hard_freeze_while_testing_is_not_ready_until_rescheduled(
        frozen, requester, peer, peer2):
    change = life.in_testing(requester, [peer, peer2])
    for test_type in ("unit", "integration"):
        services.record_test_evidence(change_id=change.pk, actor=requester,
                                      data={"test_type": test_type, "result": "passed", "summary": "green"})
    Freeze.objects.create(name="Payments migration", reason="Core ledger move", kind="hard",
                          starts_at=f.PLANNED_START - timedelta(hours=1), ends_at=f.PLANNED_END + timedelta(hours=1))
    with pytest.raises(GateRefused) as refusal:
        services.run_transition(change_id=change.pk, name="test", actor=requester)
    assert codes(refusal) == {"hard_freeze"}
    later = f.PLANNED_START + timedelta(days=1)
    services.reschedule(change_id=change.pk, actor=requester, planned_start=later,
                        planned_end=later + timedelta(hours=1), reason="After the migration")
    assert services.run_transition(change_id=change.pk, name="test", actor=requester).state == State.READY


def test_the_catalog_page_says_a_change_with_a_security_trigger_is_normal(frozen, client, requester):
    from changes.models import StandardTemplate

    template = StandardTemplate.objects.create(
        name="Logging configuration", description="Change a log level.", category="application",
        implementation_plan="Apply the config map.", test_plan="Check the logs.", rollback_plan="Revert it.",
        risk_scores=f.LOW_RISK)
    data = f.complete_fields(security_triggers=["authn_authz"])
    for controlled in StandardTemplate.CONTROLLED_FIELDS:
        data.pop(controlled, None)
    data["planned_start"], data["planned_end"] = (f.PLANNED_START.strftime("%Y-%m-%dT%H:%M"),
                                                  f.PLANNED_END.strftime("%Y-%m-%dT%H:%M"))
    client.force_login(requester)
    response = client.post(f"/changes/catalog/{template.pk}/new/", data, follow=True)
    page = response.content.decode()
    assert "now a normal change" in page and "skips approvals" not in page


def test_an_edit_that_drops_the_last_pending_slot_moves_the_change_on_to_testing(frozen, requester, peer, peer2):
    from approvals.services import decide

    change = life.in_approval(requester, security_triggers=["network"])
    peers = iter([peer, peer2])
    for slot in change.approval_slots.filter(status="pending", role="peer").order_by("ordinal"):
        decide(slot_id=slot.pk, actor=next(peers), verdict="grant")
    assert f.reload(change).state == State.APPROVAL  # security's slot still waits
    saved = services.update_change(change_id=change.pk, actor=requester, data={"security_triggers": []})
    assert saved.change.state == State.TESTING
    assert change.approval_slots.get(role="security").status == "superseded"


def test_the_api_refuses_other_fields_after_assessment_with_403(frozen, requester, peer, peer2):
    change = life.in_testing(requester, [peer, peer2])
    response = authenticated(requester).patch(f"/api/changes/{change.pk}/", {"title": "Renamed"}, format="json")
    assert response.status_code == 403 and "title" in response.json()["detail"]
