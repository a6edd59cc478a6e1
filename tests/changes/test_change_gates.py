"""Every gate of POLICY §4 refuses with every missing item, and a refusal changes nothing."""
from datetime import datetime, timedelta

import pytest

from changemgmt.errors import GateRefused
from changemgmt.models import LedgerEntry
from changes import services
from changes.calendar.models import Freeze
from changes.choices import State
from changes.models import RollbackRecord
from tests.support import factories as f
from tests.support import lifecycle as life


def codes(refusal) -> set[str]:
    return {m.code for m in refusal.value.missing}


def test_submit_lists_every_missing_required_field_with_its_policy(frozen, requester):
    change = services.create_change(actor=requester, data={"title": "Half a change"})
    ledger_before = LedgerEntry.objects.count()
    with pytest.raises(GateRefused) as refusal:
        services.run_transition(change_id=change.pk, name="submit", actor=requester)
    assert codes(refusal) == {
        "field_description", "field_business_justification", "field_impact_systems", "field_impact_users",
        "field_test_plan", "field_rollback_plan", "field_implementation_plan", "field_schedule", "field_services"}
    assert all(m.policy.startswith("POLICY §4") for m in refusal.value.missing)
    assert f.reload(change).state == State.DRAFT
    assert LedgerEntry.objects.count() == ledger_before


def test_complete_change_submits_and_is_stamped(frozen, requester):
    change = life.submitted(requester)
    assert change.state == State.ASSESSMENT
    assert change.submitted_at is not None
    assert LedgerEntry.objects.filter(action="change.submit", subject=f"changes.changerequest:{change.pk}").exists()


def test_normal_change_needs_24_hours_lead_time(frozen, requester):
    frozen.move_to(datetime(2026, 11, 30, 18, 0, tzinfo=f.NY))  # 12 h before the Tuesday 06:00 window
    change = life.filed(requester)
    with pytest.raises(GateRefused) as refusal:
        services.run_transition(change_id=change.pk, name="submit", actor=requester)
    assert codes(refusal) == {"lead_time"}


def test_emergency_change_needs_no_lead_time_nor_window(frozen, requester):
    friday = datetime(2026, 11, 27, 2, 0, tzinfo=f.NY)
    change = life.filed(requester, change_type="emergency", emergency_criterion="production_down",
                        planned_start=(frozen_now := f.NOW + timedelta(minutes=30)).isoformat(),
                        planned_end=(frozen_now + timedelta(hours=1)).isoformat())
    assert services.run_transition(change_id=change.pk, name="submit", actor=requester).state == State.ASSESSMENT
    assert friday  # emergency changes are not held to weekday windows either


def test_high_risk_needs_seven_days_lead_time_at_assessment(frozen, requester):
    frozen.move_to(datetime(2026, 11, 26, 12, 0, tzinfo=f.NY))  # 5 days before the planned Tuesday
    change = life.submitted(requester)
    services.score_risk(change_id=change.pk, actor=requester, data=f.HIGH_RISK)
    with pytest.raises(GateRefused) as refusal:
        services.run_transition(change_id=change.pk, name="assess", actor=requester)
    assert codes(refusal) == {"lead_time"}


def test_plan_outside_deployment_window_is_refused(frozen, requester):
    friday_start = datetime(2026, 12, 4, 7, 0, tzinfo=f.NY)
    change = life.filed(requester, planned_start=friday_start.isoformat(),
                        planned_end=(friday_start + timedelta(hours=1)).isoformat())
    with pytest.raises(GateRefused) as refusal:
        services.run_transition(change_id=change.pk, name="submit", actor=requester)
    assert codes(refusal) == {"outside_window"}
    assert "emergency changes only" not in refusal.value.missing[0].message


def test_hard_freeze_refuses_and_soft_freeze_needs_justification(frozen, requester):
    freeze = Freeze.objects.create(name="Black Friday", reason="Peak", kind="hard",
                                   starts_at=f.PLANNED_START - timedelta(days=1),
                                   ends_at=f.PLANNED_END + timedelta(days=1))
    change = life.filed(requester)
    with pytest.raises(GateRefused) as refusal:
        services.run_transition(change_id=change.pk, name="submit", actor=requester)
    assert codes(refusal) == {"hard_freeze"}
    Freeze.objects.filter(pk=freeze.pk).update(kind="soft")
    with pytest.raises(GateRefused) as refusal:
        services.run_transition(change_id=change.pk, name="submit", actor=requester)
    assert codes(refusal) == {"soft_freeze_justification"}
    services.update_change(change_id=change.pk, actor=requester, data={"freeze_justification": "Fixes checkout"})
    assert services.run_transition(change_id=change.pk, name="submit", actor=requester).state == State.ASSESSMENT


def test_assess_requires_the_whole_scorecard(frozen, requester):
    change = life.submitted(requester)
    with pytest.raises(GateRefused) as refusal:
        services.run_transition(change_id=change.pk, name="assess", actor=requester)
    assert codes(refusal) == {"risk_systems", "risk_users", "risk_data", "risk_reversibility", "risk_security"}


def test_approve_gate_lists_pending_slots(frozen, requester):
    change = life.in_approval(requester)
    with pytest.raises(GateRefused) as refusal:
        services.run_transition(change_id=change.pk, name="approve", actor=requester)
    assert codes(refusal) == {"approval_peer_1", "approval_peer_2"}


@pytest.mark.parametrize("scores, required", [
    (f.LOW_RISK, {"unit"}),
    (f.MEDIUM_RISK, {"unit", "integration", "staging"}),
    (f.HIGH_RISK, {"unit", "integration", "staging", "uat"}),
    (f.CRITICAL_RISK, {"unit", "integration", "staging", "uat", "performance"}),
])
def test_test_gate_requires_evidence_by_risk(frozen, requester, peer, peer2, manager, security, cab_chair, cto,
                                             scores, required):
    change = life.in_testing(requester, [peer, peer2, manager, security, cab_chair, cto], scores=scores)
    with pytest.raises(GateRefused) as refusal:
        services.run_transition(change_id=change.pk, name="test", actor=requester)
    assert codes(refusal) == {f"test_{t}" for t in required}


def test_failed_latest_run_blocks_the_test_gate(frozen, requester, peer, peer2):
    change = life.in_testing(requester, [peer, peer2])
    services.record_test_evidence(change_id=change.pk, actor=requester,
                                  data={"test_type": "unit", "result": "passed", "summary": "ok"})
    frozen.shift(60)
    services.record_test_evidence(change_id=change.pk, actor=requester,
                                  data={"test_type": "unit", "result": "failed", "summary": "2 failures"})
    with pytest.raises(GateRefused) as refusal:
        services.run_transition(change_id=change.pk, name="test", actor=requester)
    assert "failed" in refusal.value.missing[0].message


def test_deploy_requires_checklist_method_and_window(frozen, requester, peer, peer2):
    change = life.ready(requester, [peer, peer2])
    with pytest.raises(GateRefused) as refusal:  # Monday noon: outside every window
        services.run_transition(change_id=change.pk, name="deploy", actor=requester,
                                data={"predeploy_checklist": ["approvals_obtained"]})
    assert codes(refusal) == {f"checklist_{c}" for c in life.ALL_CHECKLIST if c != "approvals_obtained"} | {
        "deployment_method", "outside_window", "outside_schedule"}
    assert f.reload(change).state == State.READY
    assert f.reload(change).predeploy_checklist == {}
    frozen.move_to(f.DEPLOY_TIME)
    change = services.run_transition(change_id=change.pk, name="deploy", actor=requester, data={
        "predeploy_checklist": life.ALL_CHECKLIST, "deployment_method": "rolling"})
    assert change.state == State.DEPLOYED and change.deployment_method == "rolling"


def test_deploy_inside_hard_freeze_is_refused(frozen, requester, peer, peer2):
    change = life.ready(requester, [peer, peer2])
    Freeze.objects.create(name="Quarter close", reason="Finance", kind="hard",
                          starts_at=f.DEPLOY_TIME - timedelta(hours=1), ends_at=f.DEPLOY_TIME + timedelta(hours=5))
    frozen.move_to(f.DEPLOY_TIME)
    with pytest.raises(GateRefused) as refusal:
        services.run_transition(change_id=change.pk, name="deploy", actor=requester, data={
            "predeploy_checklist": life.ALL_CHECKLIST, "deployment_method": "canary"})
    assert codes(refusal) == {"hard_freeze"}


def test_verify_waits_for_the_monitoring_period(frozen, requester, peer, peer2):
    change = life.deployed(requester, [peer, peer2], frozen)
    frozen.shift(29 * 60)
    with pytest.raises(GateRefused) as refusal:
        services.run_transition(change_id=change.pk, name="verify", actor=requester,
                                data={"verification_checks": life.ALL_CHECKS})
    assert codes(refusal) == {"monitoring_period"}
    frozen.shift(60)
    with pytest.raises(GateRefused) as refusal:
        services.run_transition(change_id=change.pk, name="verify", actor=requester,
                                data={"verification_checks": ["health_checks"]})
    assert codes(refusal) == {f"verify_{c}" for c in life.ALL_CHECKS if c != "health_checks"}
    change = services.run_transition(change_id=change.pk, name="verify", actor=requester,
                                     data={"verification_checks": life.ALL_CHECKS})
    assert change.state == State.VERIFIED


def test_close_requires_outcome_and_post_implementation_review(frozen, requester, peer, peer2):
    change = life.deployed(requester, [peer, peer2], frozen)
    frozen.shift(31 * 60)
    services.run_transition(change_id=change.pk, name="verify", actor=requester,
                            data={"verification_checks": life.ALL_CHECKS})
    with pytest.raises(GateRefused) as refusal:
        services.run_transition(change_id=change.pk, name="close", actor=requester, data={})
    assert codes(refusal) == {"outcome", "review_lessons_learned"} | {f"review_{c}" for c in life.ALL_REVIEW}
    change = services.run_transition(change_id=change.pk, name="close", actor=requester, data={
        "outcome": "successful", "review_answers": life.ALL_REVIEW, "lessons_learned": "None"})
    assert change.state == State.CLOSED and change.closed_at is not None


def test_roll_back_records_every_policy_field_then_closes_as_rolled_back(frozen, requester, peer, peer2):
    change = life.deployed(requester, [peer, peer2], frozen)
    with pytest.raises(GateRefused) as refusal:
        services.run_transition(change_id=change.pk, name="roll_back", actor=requester, data={"reason": "errors"})
    assert len(refusal.value.missing) == 9
    record = {"severity": "high", "trigger": "error_rate_rise", "kind": "application",
              "decided_at": f.DEPLOY_TIME.isoformat(),
              "completed_at": (f.DEPLOY_TIME + timedelta(minutes=12)).isoformat(),
              "reason": "5xx rose to 4 %", "steps_executed": "Redeployed v2.2", "impact": "12 min of errors",
              "root_cause": "Null refunds", "preventive_measures": "Contract test for refunds"}
    change = services.run_transition(change_id=change.pk, name="roll_back", actor=requester, data=record)
    assert change.state == State.ROLLED_BACK
    assert RollbackRecord.objects.get(change=change).minutes_to_complete == 12
    with pytest.raises(GateRefused) as refusal:
        services.run_transition(change_id=change.pk, name="close", actor=requester, data={
            "outcome": "successful", "review_answers": life.ALL_REVIEW, "lessons_learned": "x"})
    assert codes(refusal) == {"outcome"}
    change = services.run_transition(change_id=change.pk, name="close", actor=requester, data={
        "outcome": "rolled_back", "review_answers": life.ALL_REVIEW, "lessons_learned": "x"})
    assert change.state == State.CLOSED


def test_cancel_needs_a_reason_and_releases_pending_approvals(frozen, requester):
    change = life.in_approval(requester)
    with pytest.raises(GateRefused):
        services.run_transition(change_id=change.pk, name="cancel", actor=requester, data={"reason": " "})
    change = services.run_transition(change_id=change.pk, name="cancel", actor=requester,
                                     data={"reason": "Superseded by CHG-9"})
    assert change.state == State.CANCELLED
    assert not change.approval_slots.filter(status="pending").exists()
