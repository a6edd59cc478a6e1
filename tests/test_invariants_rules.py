"""The invariants of changes.invariants find what they promise on real data, and `manage.py
check_invariants` reports them to an operator: silent and exit 0 when all hold, one line per
violation (reference, rule, POLICY reference) and exit 1 otherwise."""
from io import StringIO

import pytest
from django.core.management import call_command

from approvals.models import ApprovalSlot
from changes import invariants, services
from changes.models import ChangeRequest
from tests import factories as f
from tests import lifecycle


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
