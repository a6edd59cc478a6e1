"""The change list's actions over the API (changes.lists.api) go through the page's services: saved
filters are each person's own (listed, saved, renamed, deleted, each in the ledger), a bulk action
answers per change (a refused change is named with its reason and nothing is written for it), the CSV
export is the page's, byte for byte, and an Idempotency-Key makes a retried bulk action harmless."""
import json
from datetime import timedelta

from changemgmt.models import LedgerEntry
from changes import services
from changes.choices import State
from changes.lists.models import SavedFilter
from tests.support import factories as f
from tests.support.api import client_for, queries_for

FILTERS, BULK, EXPORT = "/api/changes/saved-filters/", "/api/changes/bulk/", "/api/changes/export.csv"


def post(client, url, body, **headers):
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


def filed(requester, n, **fields):
    return [services.create_change(actor=requester, data=f.complete_fields(title=f"c{i}", **fields)) for i in range(n)]


def test_saved_filters_are_listed_saved_renamed_and_deleted_by_their_owner(frozen, requester):
    client = client_for(requester)
    created = post(client, FILTERS, {"name": "Drafts", "query": "state=draft&page=3"})
    assert created.status_code == 201
    body = created.json()
    assert body["name"] == "Drafts" and body["query"] == "state=draft"
    renamed = client.patch(f"{FILTERS}{body['id']}/", json.dumps({"name": "My drafts"}),
                           content_type="application/json")
    assert renamed.status_code == 200 and renamed.json()["name"] == "My drafts"
    assert [row["name"] for row in client.get(FILTERS).json()] == ["My drafts"]
    assert client.delete(f"{FILTERS}{body['id']}/").status_code == 204
    assert client.get(FILTERS).json() == [] and not SavedFilter.objects.exists()
    assert list(LedgerEntry.objects.filter(action__startswith="list.filter").order_by("seq").values_list(
        "action", flat=True)) == ["list.filter_saved", "list.filter_renamed", "list.filter_deleted"]


def test_someone_elses_filter_is_not_found_and_a_taken_name_is_refused(frozen, requester, peer, auditor):
    theirs = post(client_for(peer), FILTERS, {"name": "Theirs", "query": "state=draft"}).json()
    client = client_for(requester)
    assert client.get(FILTERS).json() == []
    assert client.delete(f"{FILTERS}{theirs['id']}/").status_code == 404
    assert client.patch(f"{FILTERS}{theirs['id']}/", json.dumps({"name": "Mine now"}),
                        content_type="application/json").status_code == 404
    first = post(client, FILTERS, {"name": "One"}).json()
    post(client, FILTERS, {"name": "Two"})
    taken = client.patch(f"{FILTERS}{first['id']}/", json.dumps({"name": "Two"}), content_type="application/json")
    assert taken.status_code == 400 and "name" in taken.json()
    assert post(client, FILTERS, {"name": ""}).status_code == 400
    assert post(client, FILTERS, {"name": "x", "colour": "red"}).json() == {"colour": ["Unknown field."]}
    assert post(client_for(auditor), FILTERS, {"name": "Audit view"}).status_code == 201  # as on the page


def test_bulk_cancel_answers_per_change_and_a_refused_change_writes_nothing(frozen, requester, peer):
    mine = filed(requester, 2)
    theirs = filed(peer, 1)[0]
    before = LedgerEntry.objects.filter(subject=f"changes.changerequest:{theirs.pk}").count()
    response = post(client_for(requester), BULK, {"action": "cancel", "reason": "Project stopped",
                                                  "changes": [mine[0].pk, theirs.pk, mine[1].pk, 999999]})
    assert response.status_code == 200
    body = response.json()
    assert body["action"] == "cancel"
    assert body["done"] == [{"change": c.pk, "reference": c.reference} for c in mine]
    assert [(row["change"], row["reference"]) for row in body["refused"]] == [(theirs.pk, theirs.reference),
                                                                              (999999, "CHG-999999")]
    assert body["refused"][1]["reason"] == "No such change." and body["refused"][0]["reason"]
    assert [f.reload(c).state for c in mine] == [State.CANCELLED, State.CANCELLED]
    assert f.reload(theirs).state == State.DRAFT
    assert LedgerEntry.objects.filter(subject=f"changes.changerequest:{theirs.pk}").count() == before


def test_bulk_reschedule_runs_the_schedule_checks_and_bad_input_does_nothing(frozen, requester, auditor):
    changes = filed(requester, 2)
    start, end = f.planned_window(f.NOW + timedelta(days=21))
    client = client_for(requester)
    before = LedgerEntry.objects.count()
    missing = post(client, BULK, {"action": "reschedule", "reason": "Vendor", "changes": [changes[0].pk]})
    assert missing.status_code == 400 and "planned_start" in missing.json()
    assert post(client, BULK, {"action": "cancel", "reason": "x", "changes": []}).json() == {
        "changes": ["Select at least one change."]}
    assert post(client, BULK, {"action": "cancel", "reason": "x", "changes": ["one"]}).status_code == 400
    assert post(client_for(auditor), BULK, {"action": "cancel", "reason": "x",
                                            "changes": [changes[0].pk]}).status_code == 403
    assert LedgerEntry.objects.count() == before
    done = post(client, BULK, {"action": "reschedule", "reason": "Vendor moved", "changes": [c.pk for c in changes],
                               "planned_start": start.isoformat(), "planned_end": end.isoformat()}).json()
    assert [row["change"] for row in done["done"]] == [c.pk for c in changes] and done["refused"] == []
    assert f.reload(changes[0]).planned_start == start
    assert LedgerEntry.objects.filter(action="change.rescheduled").count() == 2


def test_a_retried_bulk_action_with_the_same_key_is_replayed_not_repeated(frozen, requester):
    change = filed(requester, 1)[0]
    client = client_for(requester)
    body = {"action": "cancel", "reason": "Dropped", "changes": [change.pk]}
    first = post(client, BULK, body, HTTP_IDEMPOTENCY_KEY="bulk-1")
    written = LedgerEntry.objects.count()
    again = post(client, BULK, body, HTTP_IDEMPOTENCY_KEY="bulk-1")
    assert first.json()["done"] == [{"change": change.pk, "reference": change.reference}]
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert LedgerEntry.objects.count() == written


def test_the_export_is_the_pages_export_and_a_bad_filter_is_a_400(frozen, client, requester, peer, auditor):
    filed(requester, 2)
    filed(peer, 1)
    client.force_login(auditor)
    page = b"".join(client.get("/changes/export.csv", {"sort": "title"}).streaming_content)
    response = client_for(auditor).get(EXPORT, {"sort": "title"}, HTTP_ACCEPT="text/csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == page and page.count(b"\r\n") == 4
    mine = b"".join(client_for(auditor).get(EXPORT, {"owner": requester.pk}).streaming_content)
    assert mine.count(b"\r\n") == 3
    bad = client_for(auditor).get(EXPORT, {"sort": "colour"})
    assert bad.status_code == 400 and "sort" in bad.json()


def test_the_saved_filter_list_costs_the_same_at_two_sizes(frozen, requester):
    client = client_for(requester)
    for n in range(2):
        post(client, FILTERS, {"name": f"f{n}"})
    small = queries_for(client, FILTERS)
    for n in range(2, 20):
        post(client, FILTERS, {"name": f"f{n}"})
    assert queries_for(client, FILTERS) == small
