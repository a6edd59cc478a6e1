"""My approvals over the API, with SLA clocks; delegation while away, recorded on the decision."""
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from approvals.models import ApprovalSlot
from approvals.services import decide
from approvals.services.delegation import create_delegation
from changemgmt.models import LedgerEntry
from tests.support import factories as f
from tests.support.api import authenticated as api
from tests.support.approvals import change_in_approval

MINE = "/api/approvals/mine/"



def test_my_pending_slots_come_soonest_due_first_with_their_clock(frozen, requester, peer, peer2):
    change_in_approval(requester, risk=f.MEDIUM_RISK, title="Later")
    change_in_approval(requester, title="Sooner")
    rows = api(peer).get(MINE).json()
    assert [r["change_title"] for r in rows] == ["Sooner", "Sooner", "Later", "Later"]
    assert rows[0]["sla"] == "due in 1 business day" and rows[0]["sla_colour"] == "green"
    assert rows[0]["may_decide"] is True


def test_the_author_does_not_see_their_own_change_in_the_queue(frozen, requester, peer):
    change_in_approval(requester)
    assert api(requester).get(MINE).json() == []


def test_filter_by_status_and_role(frozen, requester, peer, peer2):
    change = change_in_approval(requester)
    decide(slot_id=change.approval_slots.first().pk, actor=peer, verdict="grant")
    granted = api(peer).get(MINE, {"status": "granted"}).json()
    assert [r["decided_by"] for r in granted] == ["bob"]
    assert api(peer).get(MINE, {"role": "manager"}).json() == []
    assert api(peer).get(MINE, {"status": "bogus"}).status_code == 400


def test_queue_query_count_is_constant(frozen, requester, peer, peer2):
    change_in_approval(requester)
    client = api(peer)
    client.get(MINE)  # warm the per-user role cache, as every request after the first has it
    with CaptureQueriesContext(connection) as small:
        client.get(MINE)
    for n in range(3):
        change_in_approval(requester, title=f"More {n}")
    with CaptureQueriesContext(connection) as large:
        assert len(client.get(MINE).json()) == 8
    assert len(large) == len(small)


def test_a_delegate_decides_in_the_away_colleagues_role_and_it_is_recorded(frozen, requester, peer, manager):
    change = change_in_approval(requester, risk=f.MEDIUM_RISK)
    manager_slot = change.approval_slots.get(role="manager")
    stand_in = f.make_user("sid", "requester", team="Platform")
    assert api(stand_in).get(MINE).json() == []
    response = api(manager).post("/api/approvals/delegations/", {
        "delegate": "sid", "starts_on": "2026-11-23", "ends_on": "2026-11-27", "reason": "Holiday"}, format="json")
    assert response.status_code == 201
    rows = api(stand_in).get(MINE).json()
    assert [r["role"] for r in rows] == ["manager"] and rows[0]["acting_for"] == "mia"
    decide(slot_id=manager_slot.pk, actor=stand_in, verdict="grant")
    slot = ApprovalSlot.objects.get(pk=manager_slot.pk)
    assert slot.decided_by == stand_in and slot.on_behalf_of == manager
    assert LedgerEntry.objects.filter(action="approval.granted").last().payload["on_behalf_of"] == "mia"


def test_delegation_ends_with_its_dates(frozen, requester, manager):
    change = change_in_approval(requester, risk=f.MEDIUM_RISK)
    stand_in = f.make_user("sid", "requester", team="Platform")
    create_delegation(actor=manager, delegate=stand_in, starts_on=date(2026, 11, 23), ends_on=date(2026, 11, 23))
    frozen.move_to(f.NOW.replace(day=24))
    with pytest.raises(PermissionDenied):
        decide(slot_id=change.approval_slots.get(role="manager").pk, actor=stand_in, verdict="grant")


def test_delegation_does_not_let_the_author_approve_through_a_colleague(frozen, requester, manager):
    change = change_in_approval(requester, risk=f.MEDIUM_RISK)
    create_delegation(actor=manager, delegate=requester, starts_on=date(2026, 11, 23), ends_on=date(2026, 11, 30))
    with pytest.raises(PermissionDenied, match="author or owner"):
        decide(slot_id=change.approval_slots.get(role="manager").pk, actor=requester, verdict="grant")


def test_delegating_needs_an_approval_role_and_valid_dates(frozen, requester, peer):
    assert api(requester).post("/api/approvals/delegations/", {
        "delegate": "bob", "starts_on": "2026-11-23", "ends_on": "2026-11-24"}, format="json").status_code == 403
    assert api(peer).post("/api/approvals/delegations/", {
        "delegate": "alice", "starts_on": "2026-11-24", "ends_on": "2026-11-23"}, format="json").status_code == 400
