"""Issue 9 (no side doors): a risk level raised in approval whose lead time from submission (or
window) the plan misses sends the change back to request, with the reason in the ledger and the owner
told; re-submitting a later plan re-runs every check. The reproducing sequence of the model-based
test: file (planned the Tuesday 7 d 18 h ahead), wait a day, submit, score medium, assess, raise to
critical — the change used to wait in approval in breach of the 7-day lead time."""
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from approvals.services import decide
from changemgmt.errors import GateRefused
from changemgmt.models import LedgerEntry, Notification, OutboxEvent
from changes import invariants, services
from changes.choices import State
from tests.support import factories as f
from tests.support import lifecycle as life
from tests.support.api import authenticated

CRITICAL = {**f.MEDIUM_RISK, "override": "critical", "override_reason": "Touches the card vault"}


def submitted_a_day_late(requester, frozen, **overrides):
    """Filed with the plan 7 d 18 h ahead, submitted a day later: 6 d 18 h of lead time."""
    change = life.filed(requester, **overrides)
    frozen.shift(timedelta(days=1))
    return services.run_transition(change_id=change.pk, name="submit", actor=requester)


def late_in_approval(requester, frozen, **overrides):
    change = submitted_a_day_late(requester, frozen, **overrides)
    services.score_risk(change_id=change.pk, actor=requester, data=f.MEDIUM_RISK)
    return services.run_transition(change_id=change.pk, name="assess", actor=requester)


def returned_entry(change):
    return LedgerEntry.objects.get(action="change.returned_to_request", subject=f"changes.changerequest:{change.pk}")


def assert_back_in_request(change, before, code="lead_time"):
    change = f.reload(change)
    assert (change.state, change.submitted_at, change.risk_level) == (State.DRAFT, None, "critical")
    entry = returned_entry(change)
    assert (entry.payload["from"], entry.payload["to"]) == (before, State.DRAFT)
    assert [item["code"] for item in entry.payload["missing"]] == [code]
    assert not change.approval_slots.exclude(status="superseded").exists()
    assert not invariants.check_all([change.pk])
    return change


def test_a_raise_in_approval_that_breaks_the_lead_time_sends_the_change_back_to_request(frozen, requester, peer):
    change = late_in_approval(requester, frozen)
    peer_slot = change.approval_slots.get(role="peer", ordinal=1)
    decide(slot_id=peer_slot.pk, actor=peer, verdict="grant")
    change = services.score_risk(change_id=change.pk, actor=peer, data=CRITICAL)
    assert change.notices and "back in request" in change.notices[0] and "7 days lead time" in change.notices[0]
    change = assert_back_in_request(change, State.APPROVAL)
    # The granted approval is superseded too: the change is assessed and approved afresh.
    peer_slot.refresh_from_db()
    assert peer_slot.status == "superseded"
    actions = list(LedgerEntry.objects.filter(subject=f"changes.changerequest:{change.pk}").order_by("seq")
                   .values_list("action", flat=True))
    assert actions[-3:] == ["change.risk_scored", "approvals.superseded", "change.returned_to_request"]
    assert OutboxEvent.objects.filter(topic="change.returned_to_request").count() == 1
    note = Notification.objects.get(user=requester, title=f"{change.reference} is back in request")
    assert "critical" in note.body and "7 days lead time" in note.body


def test_the_owner_and_the_requester_are_both_told(frozen, requester, teammate, peer):
    change = late_in_approval(requester, frozen, owner=teammate.pk)
    services.score_risk(change_id=change.pk, actor=peer, data=CRITICAL)
    told = set(Notification.objects.filter(title__endswith="is back in request").values_list("user", flat=True))
    assert told == {requester.pk, teammate.pk}


def test_in_assessment_the_assess_gate_itself_holds_the_new_level_to_the_plan(frozen, requester):
    """Before approval nothing is sent back: the assess gate re-checks lead time and window at the final
    level, and the author reschedules in place."""
    change = submitted_a_day_late(requester, frozen)
    services.score_risk(change_id=change.pk, actor=requester, data=f.MEDIUM_RISK)
    change = services.score_risk(change_id=change.pk, actor=requester, data=f.CRITICAL_RISK)
    assert (change.state, change.notices) == (State.ASSESSMENT, [])
    with pytest.raises(GateRefused) as refused:
        services.run_transition(change_id=change.pk, name="assess", actor=requester)
    assert [item.code for item in refused.value.missing] == ["lead_time"]
    later = change.planned_start + timedelta(days=7)
    services.reschedule(change_id=change.pk, actor=requester, reason="A week later for the critical review",
                        planned_start=later.isoformat(), planned_end=(later + timedelta(hours=1)).isoformat())
    change = services.run_transition(change_id=change.pk, name="assess", actor=requester)
    assert change.state == State.APPROVAL and not invariants.check_all([change.pk])
    assert not LedgerEntry.objects.filter(action="change.returned_to_request").exists()


def test_a_raise_that_moves_the_plan_out_of_its_window_sends_the_change_back(frozen, requester, peer):
    """A Monday plan is inside a window for medium risk, not for critical [POLICY §6]."""
    change = life.filed(requester)
    monday = change.planned_start + timedelta(days=6)  # the Monday after: lead time for any level
    services.update_change(change_id=change.pk, actor=requester, data={
        "planned_start": monday.isoformat(), "planned_end": (monday + timedelta(hours=1)).isoformat()})
    change = services.run_transition(change_id=change.pk, name="submit", actor=requester)
    services.score_risk(change_id=change.pk, actor=requester, data=f.MEDIUM_RISK)
    services.run_transition(change_id=change.pk, name="assess", actor=requester)
    services.score_risk(change_id=change.pk, actor=peer, data=CRITICAL)
    assert_back_in_request(change, State.APPROVAL, code="outside_window")


def test_a_raise_the_plan_still_satisfies_stays_in_approval_with_new_slots(frozen, requester, peer):
    change = life.in_approval(requester, scores=f.MEDIUM_RISK)
    services.score_risk(change_id=change.pk, actor=peer, data=CRITICAL)
    change = f.reload(change)
    assert change.state == State.APPROVAL and change.risk_level == "critical"
    assert change.approval_slots.filter(role="cto", status="pending").exists()
    assert not LedgerEntry.objects.filter(action="change.returned_to_request").exists()
    assert not invariants.check_all([change.pk])


def test_a_rescore_at_the_same_level_never_sends_it_back(frozen, requester, peer):
    change = late_in_approval(requester, frozen)
    services.score_risk(change_id=change.pk, actor=peer, data=f.MEDIUM_RISK)
    assert f.reload(change).state == State.APPROVAL


def test_resubmitting_after_the_return_re_runs_every_check(frozen, requester, peer, peer2, manager, security, cto):
    change = late_in_approval(requester, frozen)
    services.score_risk(change_id=change.pk, actor=peer, data=CRITICAL)
    with pytest.raises(GateRefused) as refused:  # same plan: 7 days from now at critical
        services.run_transition(change_id=change.pk, name="submit", actor=requester)
    assert "lead_time" in [item.code for item in refused.value.missing]
    later = change.planned_start + timedelta(days=7)
    services.reschedule(change_id=change.pk, actor=requester, reason="A week later for the critical review",
                        planned_start=later.isoformat(), planned_end=(later + timedelta(hours=1)).isoformat())
    change = services.run_transition(change_id=change.pk, name="submit", actor=requester)
    assert change.submitted_at == f.reload(change).submitted_at is not None
    change = services.run_transition(change_id=change.pk, name="assess", actor=requester)
    live = change.approval_slots.exclude(status="superseded")
    assert change.state == State.APPROVAL and live.count() == live.filter(status="pending").count() > 0
    assert not invariants.check_all([change.pk])


def test_an_edit_in_request_after_the_return_is_free_and_the_submit_gate_judges_it(frozen, requester, peer):
    change = late_in_approval(requester, frozen)
    services.score_risk(change_id=change.pk, actor=peer, data=CRITICAL)
    services.update_change(change_id=change.pk, actor=requester, data={"rollback_plan": ""})
    assert not invariants.check_all([change.pk])
    with pytest.raises(GateRefused) as refused:
        services.run_transition(change_id=change.pk, name="submit", actor=requester)
    assert {"field_rollback_plan", "lead_time"} <= {item.code for item in refused.value.missing}


@pytest.mark.parametrize("stage", ["testing", "ready"])
def test_after_approval_the_risk_cannot_be_re_scored_at_all(frozen, stage, requester, peer, peer2, manager):
    """No side door past approval: scoring is refused in testing and ready (changes.rules.can_score_risk),
    so no new level can breach the plan there; nothing is written."""
    change = life.in_testing(requester, [peer, peer2, manager], scores=f.MEDIUM_RISK)
    if stage == "ready":
        for test_type in ("unit", "integration", "staging"):
            services.record_test_evidence(change_id=change.pk, actor=requester,
                                          data={"test_type": test_type, "result": "passed", "summary": "green"})
        change = services.run_transition(change_id=change.pk, name="test", actor=requester)
    assert change.state == stage
    entries = LedgerEntry.objects.count()
    for who in (requester, peer):
        with pytest.raises(PermissionDenied):
            services.score_risk(change_id=change.pk, actor=who, data=CRITICAL)
    assert LedgerEntry.objects.count() == entries and f.reload(change).risk_level == "medium"


def test_an_emergency_change_keeps_its_own_lead_time_rules(frozen, requester, peer):
    change = submitted_a_day_late(requester, frozen, change_type="emergency", emergency_criterion="production_down")
    services.score_risk(change_id=change.pk, actor=requester, data=f.MEDIUM_RISK)
    services.score_risk(change_id=change.pk, actor=peer, data=CRITICAL)
    change = f.reload(change)
    assert (change.state, change.risk_level) == (State.ASSESSMENT, "critical")
    assert not LedgerEntry.objects.filter(action="change.returned_to_request").exists()


def test_the_return_through_the_api(frozen, requester, peer):
    change = late_in_approval(requester, frozen)
    response = authenticated(peer).put(f"/api/changes/{change.pk}/risk/", CRITICAL, format="json")
    assert response.status_code == 200
    assert (response.json()["state"], response.json()["risk_level"]) == ("draft", "critical")
    assert_back_in_request(change, State.APPROVAL)


def test_the_return_through_the_page_says_so(frozen, client, requester, peer):
    change = late_in_approval(requester, frozen)
    client.force_login(peer)
    response = client.post(reverse("changes:risk", args=[change.pk]), CRITICAL, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "is back in request because its risk level is now critical" in page
    assert_back_in_request(change, State.APPROVAL)
