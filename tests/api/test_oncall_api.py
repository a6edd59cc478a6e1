"""The on-call roster over the API: anyone with a role reads the shifts; administrators add, change and
remove them through approvals.services, one ledger entry each; bad input names the field, nothing written."""
from datetime import timedelta

import pytest

from approvals.models import OnCallShift
from changemgmt.models import LedgerEntry
from tests.support import factories as f
from tests.support.api import authenticated, patch_json, post_json

pytestmark = pytest.mark.django_db


def _shift(user, hours=12) -> dict:
    return {"role": "manager", "user": user.pk, "starts_at": f.NOW.isoformat(),
            "ends_at": (f.NOW + timedelta(hours=hours)).isoformat()}


def _last_action() -> str:
    return LedgerEntry.objects.order_by("-seq").values_list("action", flat=True).first()


def test_an_administrator_adds_changes_and_removes_a_shift(frozen, admin_user, manager, auditor):
    client = authenticated(admin_user)
    created = post_json(client, "/api/on-call/shifts/", _shift(manager))
    assert created.status_code == 201 and created.json()["username"] == manager.username
    assert _last_action() == "oncall.shift_added"
    pk = created.json()["id"]
    assert authenticated(auditor).get("/api/on-call/shifts/").json()["results"][0]["id"] == pk
    moved = patch_json(client, f"/api/on-call/shifts/{pk}/", {"ends_at": (f.NOW + timedelta(hours=8)).isoformat()})
    assert moved.status_code == 200 and _last_action() == "oncall.shift_changed"
    assert OnCallShift.objects.get(pk=pk).ends_at == f.NOW + timedelta(hours=8)
    assert client.delete(f"/api/on-call/shifts/{pk}/").status_code == 204
    assert _last_action() == "oncall.shift_removed" and not OnCallShift.objects.exists()


def test_a_shift_ending_before_it_starts_is_refused(frozen, admin_user, manager):
    entries = LedgerEntry.objects.count()
    response = post_json(authenticated(admin_user), "/api/on-call/shifts/", _shift(manager, hours=-1))
    assert response.status_code == 400
    bad_role = post_json(authenticated(admin_user), "/api/on-call/shifts/", {**_shift(manager), "role": "chef"})
    assert bad_role.status_code == 400 and "role" in bad_role.json()
    assert not OnCallShift.objects.exists() and LedgerEntry.objects.count() == entries


@pytest.mark.parametrize("persona", ["manager", "auditor"])
def test_only_an_administrator_edits_the_roster(frozen, request, persona, manager):
    shift = OnCallShift.objects.create(role="manager", user=manager, starts_at=f.NOW,
                                       ends_at=f.NOW + timedelta(hours=1))
    entries = LedgerEntry.objects.count()
    client = authenticated(request.getfixturevalue(persona))
    assert post_json(client, "/api/on-call/shifts/", _shift(manager)).status_code == 403
    assert client.delete(f"/api/on-call/shifts/{shift.pk}/").status_code == 403
    assert OnCallShift.objects.count() == 1 and LedgerEntry.objects.count() == entries
