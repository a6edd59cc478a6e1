"""Schedule rules reaching across layers: a soft freeze asks for one extra approval; owners hear of
conflicts and of freezes that catch their changes."""
from datetime import timedelta

import pytest

from changemgmt.models import Notification, NotificationKind
from changes import services
from changes.calendar.models import Freeze
from tests.support import factories as f
from tests.support import lifecycle as life


def live_roles(change):
    return sorted(change.approval_slots.exclude(status="superseded").values_list("role", flat=True))


def test_soft_freeze_adds_one_extra_approval(frozen, requester):
    freeze = Freeze.objects.create(name="Holiday season", reason="Peak", kind="soft",
                                   starts_at=f.PLANNED_START - timedelta(days=1),
                                   ends_at=f.PLANNED_END + timedelta(days=1))
    change = life.in_approval(requester, freeze_justification="Fixes the refund outage")
    assert live_roles(change) == ["manager", "peer", "peer"]
    extra = change.approval_slots.get(role="manager")
    assert extra.rule == f"Soft freeze “{freeze.name}”: one extra approval"


def test_medium_risk_in_soft_freeze_needs_a_second_manager(frozen, requester):
    Freeze.objects.create(name="Quarter close", reason="Finance", kind="soft",
                          starts_at=f.PLANNED_START - timedelta(days=1), ends_at=f.PLANNED_END + timedelta(days=1))
    change = life.in_approval(requester, scores=f.MEDIUM_RISK, freeze_justification="Regulator deadline")
    assert live_roles(change) == ["manager", "manager", "peer", "peer"]


def test_no_freeze_no_extra_approval(frozen, requester):
    assert live_roles(life.in_approval(requester)) == ["peer", "peer"]


@pytest.mark.django_db
def test_both_owners_are_told_of_a_new_conflict(frozen, requester, peer):
    mine = life.filed(requester)
    theirs = services.create_change(actor=peer, data=f.complete_fields(title="Rotate payments TLS certificates"))
    notes = Notification.objects.filter(kind=NotificationKind.CHANGE_CONFLICT)
    assert {n.user_id for n in notes} == {requester.pk, peer.pk}
    alice_note = notes.get(user=requester)
    assert alice_note.title == f"{mine.reference} conflicts with {theirs.reference}"
    assert "payments-api" in alice_note.body and alice_note.url == f"/changes/{mine.pk}/"


def test_owner_is_told_when_a_freeze_catches_their_change(frozen, requester, peer, peer2, admin_user):
    from changes.calendar.services import announce_freeze

    change = life.ready(requester, [peer, peer2])
    announce_freeze(actor=admin_user, data={
        "name": "Incident freeze", "reason": "Major incident", "kind": "hard",
        "starts_at": (f.PLANNED_START - timedelta(hours=1)).isoformat(),
        "ends_at": (f.PLANNED_END + timedelta(hours=1)).isoformat()})
    note = Notification.objects.get(kind=NotificationKind.FREEZE_CAUGHT)
    assert note.user == requester and "put on hold" in note.body
    assert f.reload(change).state == "testing"
