"""Approvals, first cut (issue 3 part 8): slots from the matrix, role holders decide, the author
never approves, a rejection rejects the change, the last grant moves it to test."""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from approvals.services import decide
from changemgmt.errors import Conflict
from changemgmt.models import LedgerEntry
from changemgmt.roles import Role
from changes.choices import State
from tests.support import factories as f
from tests.support import lifecycle as life


def live_roles(change):
    return sorted(change.approval_slots.exclude(status="superseded").values_list("role", flat=True))


@pytest.mark.parametrize("scores, roles", [
    (f.LOW_RISK, ["peer", "peer"]),
    (f.MEDIUM_RISK, ["manager", "peer", "peer"]),
    (f.HIGH_RISK, ["cab", "manager", "peer", "peer", "security"]),
    (f.CRITICAL_RISK, ["cab", "cto", "manager", "peer", "peer", "security"]),
])
def test_matrix_by_risk_level(frozen, requester, scores, roles):
    assert live_roles(life.in_approval(requester, scores=scores)) == roles


@pytest.mark.parametrize("category, roles", [
    ("database", ["dba", "peer"]),
    ("infrastructure", ["operations", "peer"]),
    ("security", ["peer", "security"]),
    ("application", ["peer", "peer"]),
])
def test_reviewer_counts_by_category(frozen, requester, category, roles):
    assert live_roles(life.in_approval(requester, category=category)) == roles


def test_security_trigger_adds_security_review_whatever_the_risk(frozen, requester):
    change = life.in_approval(requester, security_triggers=["crypto"])
    assert live_roles(change) == ["peer", "peer", "security"]
    assert "Cryptography" in change.approval_slots.get(role="security").rule


def test_each_slot_says_which_rule_required_it(frozen, requester):
    change = life.in_approval(requester, scores=f.MEDIUM_RISK)
    manager_slot = change.approval_slots.get(role="manager")
    assert manager_slot.rule == "Medium risk requires manager approval"
    assert manager_slot.policy.startswith("POLICY §3")


def test_author_may_not_approve_own_change(frozen, requester, peer):
    from django.contrib.auth.models import Group

    requester.groups.add(Group.objects.get(name=Role.PEER_REVIEWER))
    requester._role_cache = None
    change = life.in_approval(requester)
    slot = change.approval_slots.first()
    with pytest.raises(PermissionDenied, match="author or owner"):
        decide(slot_id=slot.pk, actor=requester, verdict="grant")
    slot.refresh_from_db()
    assert slot.status == "pending"


def test_only_role_holders_decide(frozen, requester, manager):
    change = life.in_approval(requester)
    with pytest.raises(PermissionDenied, match="Peer review role"):
        decide(slot_id=change.approval_slots.first().pk, actor=manager, verdict="grant")


def test_one_person_never_fills_two_slots(frozen, requester, peer):
    change = life.in_approval(requester)
    first, second = change.approval_slots.order_by("id")
    decide(slot_id=first.pk, actor=peer, verdict="grant")
    with pytest.raises(PermissionDenied, match="two approval slots"):
        decide(slot_id=second.pk, actor=peer, verdict="grant")


def test_dual_control_needs_an_approver_outside_the_authors_team(frozen, requester, teammate):
    from tests.support.factories import make_user

    other_teammate = make_user("tess", Role.PEER_REVIEWER, team="Payments")
    change = life.in_approval(requester)
    first, second = change.approval_slots.order_by("id")
    decide(slot_id=first.pk, actor=teammate, verdict="grant")
    with pytest.raises(PermissionDenied, match="Dual control"):
        decide(slot_id=second.pk, actor=other_teammate, verdict="grant")


def test_last_grant_moves_the_change_to_test(frozen, requester, peer, peer2):
    change = life.in_approval(requester)
    first, second = change.approval_slots.order_by("id")
    decide(slot_id=first.pk, actor=peer, verdict="grant")
    assert f.reload(change).state == State.APPROVAL
    decide(slot_id=second.pk, actor=peer2, verdict="grant")
    change = f.reload(change)
    assert change.state == State.TESTING and change.approved_at is not None
    assert LedgerEntry.objects.filter(action="change.approve", payload__automatic=True).exists()


def test_rejection_needs_a_reason_and_rejects_the_change(frozen, requester, peer):
    change = life.in_approval(requester)
    slot = change.approval_slots.first()
    with pytest.raises(ValidationError):
        decide(slot_id=slot.pk, actor=peer, verdict="reject", reason="")
    decide(slot_id=slot.pk, actor=peer, verdict="reject", reason="No rollback for the migration")
    change = f.reload(change)
    assert change.state == State.REJECTED
    assert change.closing_reason == "No rollback for the migration"
    assert not change.approval_slots.filter(status="pending").exists()


def test_deciding_a_decided_slot_is_a_conflict(frozen, requester, peer, peer2):
    change = life.in_approval(requester)
    slot = change.approval_slots.first()
    decide(slot_id=slot.pk, actor=peer, verdict="grant")
    with pytest.raises(Conflict):
        decide(slot_id=slot.pk, actor=peer2, verdict="grant")
