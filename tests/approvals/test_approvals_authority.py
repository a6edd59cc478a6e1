"""Approvals are decided only by those policy names [issue 9 §2]: the CAB slot only by the board, auditors
never (whatever the delegation), a rejection only from the holder of a pending slot; delegations can be
revoked. Each door: service, API, the change page and My approvals."""
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from approvals import delegation, services
from approvals.models import Delegation
from approvals.services import delegation as delegation_services
from changemgmt.errors import Conflict
from changemgmt.models import LedgerEntry
from changemgmt.roles import Role
from changes import rules as change_rules
from changes import services as change_services
from changes.choices import State
from tests.support import factories as f
from tests.support import lifecycle as life
from tests.support.api import assert_nothing_written, client_for, post_json, rows


def slot_of(change, role, ordinal=1):
    return change.approval_slots.get(role=role, ordinal=ordinal)


@pytest.fixture
def high(frozen, requester):
    """A high-risk change in approval: peer, peer, manager, security and CAB slots."""
    return life.in_approval(requester, scores=f.HIGH_RISK)


def test_the_cab_chair_alone_cannot_grant_the_cab_slot_over_the_api(high, cab_chair):
    slot = slot_of(high, "cab")
    before = rows()
    response = post_json(client_for(cab_chair), f"/api/approvals/{slot.pk}/decide/", {"verdict": "grant"})
    assert response.status_code == 403
    assert "decided only by the board, in a meeting with quorum" in response.json()["detail"]
    assert_nothing_written(before)


def test_the_cab_slot_is_refused_on_the_change_page_and_in_my_approvals(high, cab_chair, client):
    slot = slot_of(high, "cab")
    client.force_login(cab_chair)
    before = rows()
    assert client.post(f"/approvals/{slot.pk}/decide/", {"verdict": "grant"}).status_code == 403
    assert client.post(f"/approvals/queue/{slot.pk}/decide/", {"verdict": "grant"}).status_code == 403
    assert_nothing_written(before)
    queue = client.get("/approvals/queue/").content.decode()
    assert f'id="slot-{slot.pk}"' in queue and "decided only by the board" in queue
    assert f'action="/approvals/queue/{slot.pk}/decide/"' not in queue


def test_an_auditor_cannot_be_named_delegate(frozen, manager, auditor):
    with pytest.raises(ValidationError) as refused:
        delegation_services.create_delegation(actor=manager, delegate=auditor, starts_on=f.NOW.date(),
                                     ends_on=f.NOW.date() + timedelta(days=2))
    assert "delegate" in refused.value.message_dict
    response = post_json(client_for(manager), "/api/approvals/delegations/", {
        "delegate": auditor.username, "starts_on": f.NOW.date().isoformat(), "ends_on": f.NOW.date().isoformat()})
    assert response.status_code == 400 and "Auditors never decide" in response.json()["delegate"][0]
    assert not Delegation.objects.exists()


@pytest.fixture
def auditor_delegate(frozen, manager, auditor):
    """A delegation to an auditor recorded before the rule (straight in the table)."""
    return Delegation.objects.create(delegator=manager, delegate=auditor, starts_on=f.NOW.date(),
                                     ends_on=f.NOW.date() + timedelta(days=3))


def test_an_auditor_delegate_cannot_decide_through_any_door(high, auditor, auditor_delegate, client):
    slot = slot_of(high, "manager")
    with pytest.raises(PermissionDenied, match="Auditors never decide"):
        services.decide(slot_id=slot.pk, actor=auditor, verdict="grant")
    client.force_login(auditor)
    before = rows()
    assert client.post(f"/approvals/{slot.pk}/decide/", {"verdict": "grant"}).status_code == 403
    assert client.post(f"/approvals/queue/{slot.pk}/decide/", {"verdict": "grant"}).status_code == 403
    assert post_json(client_for(auditor), f"/api/approvals/{slot.pk}/decide/",
                     {"verdict": "grant"}).status_code == 403
    assert_nothing_written(before)


def test_the_auditors_queue_shows_no_decide_buttons(high, auditor, auditor_delegate, client):
    client.force_login(auditor)
    queue = client.get("/approvals/queue/").content.decode()
    assert "Auditors never decide approvals" in queue
    assert 'name="verdict"' not in queue
    [row] = [r for r in client_for(auditor).get("/api/approvals/mine/").json() if r["role"] == "manager"]
    assert row["may_decide"] is False


def test_a_dba_with_no_slot_cannot_reject_the_change(frozen, requester, dba):
    change = life.in_approval(requester)  # low risk, application: two peer slots, no DBA slot
    with pytest.raises(PermissionDenied):
        change_services.run_transition(change_id=change.pk, name="reject", actor=dba, data={"reason": "No"})
    before = rows()
    response = post_json(client_for(dba), f"/api/changes/{change.pk}/transitions/reject/", {"reason": "No"})
    assert response.status_code == 403
    assert_nothing_written(before)
    assert f.reload(change).state == State.APPROVAL


def test_the_holder_of_a_pending_slot_and_their_delegate_may_reject(frozen, requester, peer, manager):
    stand_in = f.make_user("sue", Role.REQUESTER, team="Platform")
    delegation_services.create_delegation(actor=peer, delegate=stand_in, starts_on=f.NOW.date(), ends_on=f.NOW.date())
    change = life.in_approval(requester)
    assert not change_rules.can_transition(manager, change, "reject")  # no manager slot at low risk
    assert change_rules.can_transition(stand_in, change, "reject")
    rejected = change_services.run_transition(change_id=change.pk, name="reject", actor=peer,
                                              data={"reason": "Wrong window"})
    assert rejected.state == State.REJECTED


def test_the_cab_slot_holder_cannot_reject_alone(high, cab_chair):
    with pytest.raises(PermissionDenied):
        change_services.run_transition(change_id=high.pk, name="reject", actor=cab_chair, data={"reason": "No"})


def test_a_delegation_is_revoked_by_its_delegator_with_a_ledger_entry(frozen, requester, peer, peer2, client):
    row = delegation_services.create_delegation(actor=peer, delegate=peer2, starts_on=f.NOW.date(),
                                                ends_on=f.NOW.date())
    assert delegation.active_delegators(peer2) == [peer]
    with pytest.raises(PermissionDenied):
        delegation_services.revoke_delegation(actor=peer2, delegation_id=row.pk)
    before = LedgerEntry.objects.count()
    assert post_json(client_for(peer2), f"/api/approvals/delegations/{row.pk}/revoke/", {}).status_code == 403
    assert LedgerEntry.objects.count() == before
    response = post_json(client_for(peer), f"/api/approvals/delegations/{row.pk}/revoke/", {})
    assert response.status_code == 200 and response.json()["delegate"] == peer2.username
    assert LedgerEntry.objects.filter(action="approvals.delegation_revoked").count() == 1
    assert delegation.active_delegators(peer2) == []
    assert post_json(client_for(peer), f"/api/approvals/delegations/{row.pk}/revoke/", {}).status_code == 409


def test_an_administrator_may_revoke_anyones_delegation(frozen, peer, peer2, admin_user):
    row = delegation_services.create_delegation(actor=peer, delegate=peer2, starts_on=f.NOW.date(),
                                                ends_on=f.NOW.date())
    assert delegation_services.revoke_delegation(actor=admin_user, delegation_id=row.pk).revoked_at is not None


def test_a_delegation_is_revoked_from_my_approvals(frozen, peer, peer2, client):
    row = delegation_services.create_delegation(actor=peer, delegate=peer2, starts_on=f.NOW.date(),
                                       ends_on=f.NOW.date() + timedelta(days=1))
    client.force_login(peer)
    page = client.get("/approvals/queue/").content.decode()
    assert "Delegations you gave" in page and f"/approvals/delegations/{row.pk}/revoke/" in page
    assert client.post(f"/approvals/delegations/{row.pk}/revoke/").status_code in (302, 303)
    row.refresh_from_db()
    assert row.revoked_at is not None
    assert "Delegations you gave" not in client.get("/approvals/queue/").content.decode()
    with pytest.raises(Conflict):
        delegation_services.revoke_delegation(actor=peer, delegation_id=row.pk)
