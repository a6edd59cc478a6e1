"""Bulk reschedule and cancel from the change list: each selected change goes through its own
service call (checked as on its page), refusals are reported by reference and the others go ahead."""
from datetime import timedelta

from django.urls import reverse

from changemgmt.models import LedgerEntry
from changes import services
from changes.choices import State
from tests.support import factories as f


def filed(requester, n):
    return [services.create_change(actor=requester, data=f.complete_fields(title=f"c{i}")) for i in range(n)]


def test_cancel_selected_reports_each_refusal(client, frozen, requester, peer):
    mine = filed(requester, 2)
    theirs = services.create_change(actor=peer, data=f.complete_fields(title="theirs"))
    client.force_login(requester)
    response = client.post(reverse("lists:bulk"), {"action": "cancel", "reason": "Project stopped",
                                                   "changes": [mine[0].pk, mine[1].pk, theirs.pk]}, follow=True)
    shown = [str(m) for m in response.context["messages"]]
    assert any(m.startswith("Cancelled 2:") for m in shown)
    assert any(m.startswith(f"{theirs.reference} not cancelled") for m in shown)
    assert [f.reload(c).state for c in mine] == [State.CANCELLED, State.CANCELLED]
    assert f.reload(theirs).state == State.DRAFT


def test_reschedule_selected_runs_the_schedule_checks(client, frozen, requester):
    changes = filed(requester, 2)
    start, end = f.planned_window(f.NOW + timedelta(days=21))
    client.force_login(requester)
    response = client.post(reverse("lists:bulk"), {
        "action": "reschedule", "reason": "Vendor moved", "changes": [c.pk for c in changes],
        "planned_start": start.isoformat(), "planned_end": end.isoformat()}, follow=True)
    assert any(str(m).startswith("Rescheduled 2") for m in response.context["messages"])
    assert LedgerEntry.objects.filter(action="change.rescheduled").count() == 2
    assert f.reload(changes[0]).planned_start == start


def test_a_reschedule_the_service_refuses_is_reported_per_change(client, frozen, requester):
    ok, closed = filed(requester, 2)
    services.run_transition(change_id=closed.pk, name="cancel", actor=requester, data={"reason": "dropped"})
    start, end = f.planned_window(f.NOW + timedelta(days=21))
    client.force_login(requester)
    response = client.post(reverse("lists:bulk"), {
        "action": "reschedule", "reason": "x", "changes": [ok.pk, closed.pk],
        "planned_start": start.isoformat(), "planned_end": end.isoformat()}, follow=True)
    shown = [str(m) for m in response.context["messages"]]
    assert f"Rescheduled 1: {ok.reference}." in shown
    assert any(m.startswith(f"{closed.reference} not rescheduled: Only the author") for m in shown)
    assert LedgerEntry.objects.filter(action="change.rescheduled").count() == 1


def test_bad_input_does_nothing_and_names_the_field(client, frozen, requester):
    change = filed(requester, 1)[0]
    client.force_login(requester)
    before = LedgerEntry.objects.count()
    response = client.post(reverse("lists:bulk"), {"action": "reschedule", "reason": "x", "changes": [change.pk]},
                           follow=True)
    shown = " ".join(str(m) for m in response.context["messages"])
    assert "Nothing done" in shown and "planned start" in shown
    response = client.post(reverse("lists:bulk"), {"action": "cancel", "reason": "x"}, follow=True)
    assert "Select at least one change" in " ".join(str(m) for m in response.context["messages"])
    assert LedgerEntry.objects.count() == before


def test_auditors_get_no_bulk_actions(client, frozen, requester, auditor):
    change = filed(requester, 1)[0]
    client.force_login(auditor)
    assert 'id="bulk-changes"' not in client.get(reverse("changes:list")).content.decode()
    response = client.post(reverse("lists:bulk"), {"action": "cancel", "reason": "x", "changes": [change.pk]})
    assert response.status_code == 403 and f.reload(change).state == State.DRAFT


def test_the_list_offers_a_checkbox_per_row(client, frozen, requester):
    change = filed(requester, 1)[0]
    client.force_login(requester)
    html = client.get(reverse("changes:list")).content.decode()
    assert f'name="changes" value="{change.pk}" form="bulk-changes"' in html
