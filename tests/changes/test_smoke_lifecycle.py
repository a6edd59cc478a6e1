"""A normal low-risk change travels the whole belt through the services."""
from changes import services
from changes.choices import State
from tests.support import factories as f


def test_low_risk_change_goes_from_request_to_close(frozen, requester, peer, peer2, operations):
    change = services.create_change(actor=requester, data=f.complete_fields())
    services.run_transition(change_id=change.pk, name="submit", actor=requester)
    services.score_risk(change_id=change.pk, actor=requester, data=f.LOW_RISK)
    change = services.run_transition(change_id=change.pk, name="assess", actor=requester)
    assert change.state == State.APPROVAL
    from approvals.services import decide

    slots = list(change.approval_slots.order_by("id"))
    assert [s.role for s in slots] == ["peer", "peer"]
    decide(slot_id=slots[0].pk, actor=peer, verdict="grant")
    decide(slot_id=slots[1].pk, actor=peer2, verdict="grant")
    assert f.reload(change).state == State.TESTING
    services.record_test_evidence(change_id=change.pk, actor=requester,
                                  data={"test_type": "unit", "result": "passed", "summary": "412 passed"})
    services.run_transition(change_id=change.pk, name="test", actor=requester)
    frozen.move_to(f.DEPLOY_TIME)
    services.run_transition(change_id=change.pk, name="deploy", actor=requester, data={
        "predeploy_checklist": ["approvals_obtained", "testing_documented", "rollback_verified", "dashboards_ready",
                                "stakeholders_told", "oncall_told", "backup_verified"],
        "deployment_method": "canary"})
    frozen.shift(31 * 60)
    services.run_transition(change_id=change.pk, name="verify", actor=requester, data={
        "verification_checks": ["health_checks", "error_rates", "response_times", "business_flows",
                                "monitoring_alerts"]})
    change = services.run_transition(change_id=change.pk, name="close", actor=requester, data={
        "outcome": "successful", "lessons_learned": "Canary caught nothing; fine.",
        "review_answers": {"objectives_achieved": True, "no_unexpected_impact": True,
                           "performance_acceptable": True, "security_maintained": True,
                           "documentation_complete": True}})
    assert change.state == State.CLOSED
