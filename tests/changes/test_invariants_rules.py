"""The invariants of changes.invariants find what they promise on real data, and `manage.py
check_invariants` reports them to an operator: silent and exit 0 when all hold, one line per
violation (reference, rule, POLICY reference) and exit 1 otherwise."""
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from approvals.models import ApprovalSlot
from changes import invariants, services
from changes.models import ChangeRequest
from tests.support import factories as f
from tests.support import lifecycle


def rules_broken(change) -> set[str]:
    return {v.rule for v in invariants.check_all([change.pk], with_ledger=False)}


def test_a_change_taken_through_the_whole_belt_keeps_every_invariant(frozen, requester, peer, peer2):
    change = lifecycle.deployed(requester, [peer, peer2], frozen)
    frozen.move_to(f.DEPLOY_TIME + f.LEAD)
    services.run_transition(change_id=change.pk, name="verify", actor=requester,
                            data={"verification_checks": lifecycle.ALL_CHECKS})
    services.run_transition(change_id=change.pk, name="close", actor=requester, data={
        "outcome": "successful", "review_answers": lifecycle.ALL_REVIEW, "lessons_learned": "Canary first."})
    assert f.reload(change).state == "closed"
    assert invariants.check_all() == []


def test_a_submitted_change_that_lost_a_required_field_is_reported(frozen, requester):
    change = lifecycle.submitted(requester)
    ChangeRequest.objects.filter(pk=change.pk).update(rollback_plan="")  # a side door, as the rule sees it
    [violation] = invariants.check_all([change.pk], with_ledger=False)
    assert violation.rule == "submitted_fields_complete" and violation.change_id == change.pk
    assert "Rollback plan is required." in violation.message and violation.policy == "POLICY §4 submit [002 §4.2]"


def test_an_approval_by_the_author_and_two_slots_by_one_person_are_reported(frozen, requester, peer, peer2):
    change = lifecycle.in_testing(requester, [peer, peer2])
    first, second = change.approval_slots.order_by("id")
    ApprovalSlot.objects.filter(pk=first.pk).update(decided_by=requester)
    ApprovalSlot.objects.filter(pk=second.pk).update(decided_by=requester)
    broken = rules_broken(change)
    assert {"no_approval_by_author_or_owner", "one_person_one_slot", "deciders_hold_the_role"} <= broken


def test_a_state_moved_without_its_transition_is_reported(frozen, requester):
    change = lifecycle.submitted(requester)
    ChangeRequest.objects.filter(pk=change.pk).update(state="ready")
    assert "state_follows_the_ledger" in rules_broken(change)


def test_every_rule_names_its_policy_reference():
    names = [name for name, _ref, _doc in invariants.catalogue()]
    assert len(names) == len(set(names))
    assert all(ref.startswith("POLICY §") and doc for _name, ref, doc in invariants.catalogue())


def test_check_invariants_exits_0_when_all_hold_and_1_listing_each_violation(frozen, requester):
    change = lifecycle.submitted(requester)
    out = StringIO()
    call_command("check_invariants", stdout=out)
    assert "invariants hold" in out.getvalue()
    ChangeRequest.objects.filter(pk=change.pk).update(test_plan="")
    out, err = StringIO(), StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("check_invariants", stdout=out, stderr=err)
    assert exit_.value.code == 1
    assert f"{change.reference}: [submitted_fields_complete] submitted, yet: Test plan is required." in out.getvalue()
    assert "1 invariant violation(s)" in err.getvalue()


def test_check_invariants_lists_its_rules(db):
    out = StringIO()
    call_command("check_invariants", "--list", stdout=out)
    assert "dual_control  (POLICY §3 dual control [000])" in out.getvalue()
    assert "ledger_verifies" in out.getvalue()


def test_check_invariants_can_check_one_change(frozen, requester):
    broken = lifecycle.submitted(requester)
    fine = lifecycle.submitted(requester)
    ChangeRequest.objects.filter(pk=broken.pk).update(test_plan="")
    out = StringIO()
    call_command("check_invariants", "--change", str(fine.pk), stdout=out)
    assert "invariants hold" in out.getvalue()
    with pytest.raises(SystemExit):
        call_command("check_invariants", "--change", str(broken.pk), stdout=StringIO(), stderr=StringIO())


def test_a_deployment_outside_its_window_schedule_or_in_a_hard_freeze_is_reported(frozen, requester, peer, peer2,
                                                                                 admin_user):
    from changes.calendar import services as calendar_services

    change = lifecycle.deployed(requester, [peer, peer2], frozen)
    assert rules_broken(change) == set()

    def freeze(start):
        calendar_services.announce_freeze(actor=admin_user, data={
            "name": "Incident freeze", "reason": "Incident", "kind": "hard",
            "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=2)).isoformat()})

    frozen.move_to(f.DEPLOY_TIME + timedelta(minutes=5))
    freeze(f.PLANNED_START)  # announced after the deployment it covers: not the deployment's fault
    assert "deployed_outside_freezes" not in rules_broken(change)
    next_week = f.PLANNED_START + timedelta(days=7)
    freeze(next_week)  # announced before a deployment inside it
    ChangeRequest.objects.filter(pk=change.pk).update(deployed_at=next_week + timedelta(minutes=15))
    assert {"deployed_outside_freezes", "deployed_inside_the_approved_schedule"} <= rules_broken(change)
    late = f.PLANNED_START + timedelta(hours=3, minutes=30)  # 09:30 for an hour: past the 10:00 window end
    ChangeRequest.objects.filter(pk=change.pk).update(deployed_at=late)
    assert {"deployed_inside_a_window", "deployed_inside_the_approved_schedule"} <= rules_broken(change)


def test_a_close_as_rolled_back_without_a_rollback_is_reported(frozen, requester, peer, peer2):
    change = lifecycle.deployed(requester, [peer, peer2], frozen)
    ChangeRequest.objects.filter(pk=change.pk).update(outcome="rolled_back", lessons_learned="x",
                                                      review_answers=lifecycle.ALL_REVIEW)
    assert "closed_with_review" not in rules_broken(change)  # not closed: nothing to judge yet
    ChangeRequest.objects.filter(pk=change.pk).update(state="closed")
    broken = rules_broken(change)
    assert {"closed_with_review", "state_follows_the_ledger"} <= broken
    [violation] = [v for v in invariants.check_all([change.pk], with_ledger=False) if v.rule == "closed_with_review"]
    assert violation.message == "closed as rolled back, but it was never rolled back"


def test_an_approval_whose_ledger_entry_is_missing_is_reported(frozen, requester, peer, peer2):
    change = lifecycle.in_approval(requester)
    slot = change.approval_slots.order_by("id").first()
    ApprovalSlot.objects.filter(pk=slot.pk).update(status="granted", decided_by=peer, decided_at=f.NOW)
    assert "writes_are_in_the_ledger" in rules_broken(change)


def test_a_raise_lowered_behind_its_back_and_a_cab_slot_granted_by_one_person_are_reported(
        frozen, requester, peer, cab_chair, teammate):
    change = lifecycle.submitted(requester)
    services.score_risk(change_id=change.pk, actor=peer, data={**f.LOW_RISK, "override": "critical",
                                                               "override_reason": "Touches the ledger"})
    assert rules_broken(change) == set()
    ChangeRequest.objects.filter(pk=change.pk).update(risk_level="low", risk_override="", risk_override_reason="")
    assert "raise_stands" in rules_broken(change)

    change = lifecycle.in_approval(requester, scores=f.HIGH_RISK)
    cab = change.approval_slots.get(role="cab")
    ApprovalSlot.objects.filter(pk=cab.pk).update(status="granted", decided_by=cab_chair, decided_at=f.NOW)
    assert "cab_slot_by_the_board" in rules_broken(change)
    peer_slot = change.approval_slots.filter(role="peer").first()
    ApprovalSlot.objects.filter(pk=peer_slot.pk).update(status="granted", decided_by=teammate, decided_at=f.NOW)
    ApprovalSlot.objects.filter(change=change).exclude(pk__in=[cab.pk, peer_slot.pk]).update(status="superseded")
    ApprovalSlot.objects.filter(pk=cab.pk).update(decided_by=teammate)
    assert "dual_control" not in rules_broken(change)  # still in approval: not approved yet
    ChangeRequest.objects.filter(pk=change.pk).update(state="testing")
    assert "dual_control" in rules_broken(change)
