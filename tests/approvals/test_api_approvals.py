"""Approval slots over the API: a change's slots, and deciding one (SoD refusals 403, races 409)."""
import pytest

from approvals.models import ApprovalSlot
from changes.choices import State
from tests.support import factories as f
from tests.support.api import ReadAccessContract, assert_nothing_written, client_for, post_json, rows
from tests.support.lifecycle import in_approval


def decide_url(slot) -> str:
    return f"/api/approvals/{slot.pk}/decide/"


@pytest.fixture
def change(frozen, requester):
    return in_approval(requester)


@pytest.fixture
def slot(change):
    return change.approval_slots.order_by("id").first()


class TestChangeSlots(ReadAccessContract):
    @pytest.fixture
    def url(self, change):
        return f"/api/changes/{change.pk}/approvals/"

    def test_lists_each_slot_with_its_rule_and_due_time(self, url, auditor, change):
        slots = client_for(auditor).get(url).json()
        assert [s["role"] for s in slots] == ["peer", "peer"]
        assert set(slots[0]) >= {"role", "ordinal", "rule", "policy", "status", "decided_by", "decided_at", "reason",
                                 "due_at"}
        assert slots[0]["status"] == "pending" and slots[0]["policy"]


def test_missing_change_has_no_slots_404(auditor):
    assert client_for(auditor).get("/api/changes/999999/approvals/").status_code == 404


def test_peer_grants_with_a_reason_and_the_ledger_records_it(slot, peer):
    response = post_json(client_for(peer), decide_url(slot), {"verdict": "grant", "reason": "Plan is sound"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["decided_by"], body["reason"]) == ("granted", "bob", "Plan is sound")
    from changemgmt.models import LedgerEntry

    assert LedgerEntry.objects.filter(action="approval.granted", payload__slot_id=slot.pk).exists()


def test_a_decided_slot_answers_409(slot, peer, peer2):
    post_json(client_for(peer), decide_url(slot), {"verdict": "grant"})
    before = rows()
    response = post_json(client_for(peer2), decide_url(slot), {"verdict": "grant"})
    assert response.status_code == 409 and "already granted" in response.json()["detail"]
    assert_nothing_written(before)


def test_the_author_may_not_approve_their_own_change(slot, change, requester):
    from django.contrib.auth.models import Group

    from changemgmt.roles import Role

    requester.groups.add(Group.objects.get(name=Role.PEER_REVIEWER))
    before = rows()
    response = post_json(client_for(requester), decide_url(slot), {"verdict": "grant"})
    assert response.status_code == 403
    assert "author or owner" in response.json()["detail"]
    assert_nothing_written(before)


def test_a_holder_of_another_role_is_refused_with_the_reason(slot, security):
    response = post_json(client_for(security), decide_url(slot), {"verdict": "grant"})
    assert response.status_code == 403 and "Peer review role" in response.json()["detail"]


def test_auditor_cannot_decide(slot, auditor):
    before = rows()
    assert post_json(client_for(auditor), decide_url(slot), {"verdict": "grant"}).status_code == 403
    assert_nothing_written(before)


def test_rejection_needs_a_reason_then_rejects_the_change(slot, change, peer):
    response = post_json(client_for(peer), decide_url(slot), {"verdict": "reject"})
    assert response.status_code == 400 and "reason" in response.json()
    response = post_json(client_for(peer), decide_url(slot), {"verdict": "reject", "reason": "No rollback tested"})
    assert response.status_code == 200
    assert f.reload(change).state == State.REJECTED


@pytest.mark.parametrize("body, field", [
    ({"verdict": "maybe"}, "verdict"),
    ({"verdict": "grant", "colour": "red"}, "colour"),
    ({"verdict": ["grant"]}, "verdict"),
    ({"verdict": "grant", "reason": {"a": 1}}, "reason"),
    ({"verdict": "grant", "reason": 42}, "reason"),
    ({"verdict": "grant", "reason": "nul\x00byte"}, "reason"),
    ({"verdict": "grant", "reason": "x" * 100_000}, "reason"),
])
def test_bad_decisions_are_400_naming_the_field(slot, peer, body, field):
    before = rows()
    response = post_json(client_for(peer), decide_url(slot), body)
    assert response.status_code == 400 and field in response.json()
    assert ApprovalSlot.objects.get(pk=slot.pk).status == "pending"
    assert_nothing_written(before)


def test_missing_slot_is_404(peer):
    assert post_json(client_for(peer), "/api/approvals/999999/decide/", {"verdict": "grant"}).status_code == 404
