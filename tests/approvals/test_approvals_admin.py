"""The admin: administrators keep the on-call roster (every edit in the ledger and the row history);
approval slots, SLA steps, delegations and emergency records are read-only there."""
from datetime import timedelta

from approvals.models import ApprovalSlot, OnCallShift
from changemgmt.models import LedgerEntry
from tests.support import factories as f
from tests.support.approvals import change_in_approval

SHIFTS = "/admin/approvals/oncallshift/"


def shift_form(user, start):
    end = start + timedelta(hours=12)
    return {"role": "manager", "user": user.pk, "starts_at_0": start.strftime("%Y-%m-%d"),
            "starts_at_1": start.strftime("%H:%M:%S"), "ends_at_0": end.strftime("%Y-%m-%d"),
            "ends_at_1": end.strftime("%H:%M:%S")}


def test_an_administrator_adds_changes_and_removes_a_shift_with_ledger_entries(frozen, admin_client, manager):
    response = admin_client.post(f"{SHIFTS}add/", shift_form(manager, f.NOW))
    assert response.status_code == 302, response.content.decode()[:2000]
    shift = OnCallShift.objects.get()
    assert (shift.user, shift.starts_at, shift.ends_at) == (manager, f.NOW, f.NOW + timedelta(hours=12))
    later = f.NOW + timedelta(days=1)
    assert admin_client.post(f"{SHIFTS}{shift.pk}/change/", shift_form(manager, later)).status_code == 302
    shift.refresh_from_db()
    assert shift.starts_at == later and shift.history.count() == 2
    assert admin_client.post(f"{SHIFTS}{shift.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not OnCallShift.objects.exists()
    actions = list(LedgerEntry.objects.filter(action__startswith="oncall.").order_by("seq")
                   .values_list("action", flat=True))
    assert actions == ["oncall.shift_added", "oncall.shift_changed", "oncall.shift_removed"]


def test_a_shift_that_ends_before_it_starts_is_refused(frozen, admin_client, manager):
    form = shift_form(manager, f.NOW)
    form["ends_at_0"] = (f.NOW - timedelta(days=1)).strftime("%Y-%m-%d")
    response = admin_client.post(f"{SHIFTS}add/", form)
    assert response.status_code == 200 and not OnCallShift.objects.exists()
    assert not LedgerEntry.objects.filter(action__startswith="oncall.").exists()


def test_staff_without_the_administrator_role_cannot_edit_the_roster(frozen, client, manager):
    manager.is_staff = True
    manager.save()
    client.force_login(manager)
    assert client.post(f"{SHIFTS}add/", shift_form(manager, f.NOW)).status_code == 403
    assert not OnCallShift.objects.exists()


def test_slots_and_emergency_records_are_read_only(frozen, admin_client, requester):
    slot = change_in_approval(requester).approval_slots.first()
    for model in ["approvals/approvalslot", "approvals/slastep", "approvals/delegation",
                  # an emergency change's records belong to changes (changes/emergency/admin.py)
                  "changes/emergencyauthorization", "changes/emergencyreview", "changes/emergencystep"]:
        assert admin_client.get(f"/admin/{model}/").status_code == 200, model
        assert admin_client.get(f"/admin/{model}/add/").status_code == 403, model
    page = admin_client.get(f"/admin/approvals/approvalslot/{slot.pk}/change/")
    assert page.status_code == 200 and 'name="status"' not in page.content.decode()
    assert admin_client.post(f"/admin/approvals/approvalslot/{slot.pk}/delete/", {"post": "yes"}).status_code == 403
    assert ApprovalSlot.objects.filter(pk=slot.pk).exists()
