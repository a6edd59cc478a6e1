"""Changes carry an external reference (source + key, unique together) so a ticketing tool can
create-or-update them: PUT /api/changes/by-external/{source}/{key}/, through changes.services with the
same validation and ledger entries; shown on the change page and in the API, filterable in the list."""
import pytest
from django.db import IntegrityError, transaction

from changemgmt.models import LedgerEntry
from changes.choices import ChangeType, State
from changes.models import ChangeRequest
from tests.support import factories as f
from tests.support.api import assert_nothing_written, client_for, post_json, rows

URL = "/api/changes/by-external/{}/{}/"


def put_json(client, url, body):
    import json

    return client.put(url, json.dumps(body), content_type="application/json")


def entries(action):
    return list(LedgerEntry.objects.filter(action=action).order_by("seq"))


def test_a_ticketing_tool_creates_then_updates_one_change(frozen, requester):
    client = client_for(requester)
    created = put_json(client, URL.format("jira", "PAY-42"), f.complete_fields())
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["external_source"] == "jira" and body["external_key"] == "PAY-42" and body["state"] == State.DRAFT
    [entry] = entries("change.created")
    assert entry.payload["external_reference"] == "jira:PAY-42" and entry.actor_name == requester.username
    updated = put_json(client, URL.format("jira", "PAY-42"), {"title": "Upgrade payments API to v2.4"})
    assert updated.status_code == 200, updated.json()
    assert updated.json()["id"] == body["id"] and updated.json()["title"] == "Upgrade payments API to v2.4"
    assert ChangeRequest.objects.count() == 1 and len(entries("change.created")) == 1
    [edit] = entries("change.updated")
    assert edit.payload["fields"] == ["title"]
    again = put_json(client, URL.format("jira", "PAY-42"), {"title": "Upgrade payments API to v2.4"})
    assert again.status_code == 200 and ChangeRequest.objects.count() == 1


def test_the_change_is_read_by_its_external_reference(frozen, requester, auditor):
    change = ChangeRequest.objects.create(title="A", requester=requester, external_source="jira", external_key="OPS-7")
    answer = client_for(auditor).get(URL.format("jira", "OPS-7"))
    assert answer.status_code == 200 and answer.json()["reference"] == change.reference
    assert client_for(auditor).get(URL.format("servicenow", "OPS-7")).status_code == 404
    assert client_for(auditor).get(URL.format("jira", "OPS%007")).status_code == 404


def test_the_update_follows_the_edit_rules(frozen, requester, peer):
    put_json(client_for(requester), URL.format("jira", "PAY-42"), f.complete_fields())
    before = rows()
    refused = put_json(client_for(peer), URL.format("jira", "PAY-42"), {"title": "Hijacked"})
    assert refused.status_code == 403
    assert_nothing_written(before)


def test_a_standard_change_from_the_catalog_by_external_reference(frozen, requester):
    template = f.make_template()
    fields = {key: value for key, value in f.complete_fields().items()
              if key not in ("category", "implementation_plan", "test_plan", "rollback_plan")}
    answer = put_json(client_for(requester), URL.format("jira", "PAY-43"), {**fields, "template": template.pk})
    assert answer.status_code == 201, answer.json()
    assert answer.json()["change_type"] == ChangeType.STANDARD and answer.json()["template"] == template.pk
    again = put_json(client_for(requester), URL.format("jira", "PAY-43"), {"template": template.pk})
    assert again.status_code == 400 and "template" in again.json()


@pytest.mark.parametrize(("path", "body", "field"), [
    (("JIRA", "PAY-42"), {}, "external_source"),  # uppercase source
    (("jira", "PAY 42"), {}, "external_key"),  # a space
    (("jira", "PAY%0042"), {}, "external_key"),  # a NUL character (PostgreSQL cannot even look it up)
    (("jira", "PAY-42%0A"), {}, "external_key"),  # a trailing line break
    (("jira", "PAY-42"), {"external_source": "servicenow"}, "external_source"),  # path and body disagree
    (("jira", "PAY-42"), {"external_key": "PAY-43"}, "external_key"),
    (("jira", "PAY-42"), {"title": ""}, "title"),
    (("jira", "PAY-42"), {"nonsense": 1}, "nonsense"),
])
def test_bad_input_is_a_400_naming_the_field_with_nothing_written(frozen, requester, path, body, field):
    before = rows()
    answer = put_json(client_for(requester), URL.format(*path), {**f.complete_fields(), **body})
    assert answer.status_code == 400 and field in answer.json(), answer.json()
    assert_nothing_written(before)


def test_filing_with_a_taken_reference_or_half_a_pair_is_refused(frozen, requester):
    client = client_for(requester)
    first = post_json(client, "/api/changes/", f.complete_fields(external_source="jira", external_key="PAY-42"))
    assert first.status_code == 201 and first.json()["external_key"] == "PAY-42"
    before = rows()
    taken = post_json(client, "/api/changes/", f.complete_fields(external_source="jira", external_key="PAY-42"))
    assert taken.status_code == 400 and "already carries the external reference" in taken.json()["external_key"][0]
    half = post_json(client, "/api/changes/", f.complete_fields(external_key="PAY-44"))
    assert half.status_code == 400 and list(half.json()) == ["external_source"]
    assert_nothing_written(before)
    other_source = post_json(client, "/api/changes/", f.complete_fields(external_source="servicenow",
                                                                         external_key="PAY-42"))
    assert other_source.status_code == 201  # unique together: the same key in another tool is another ticket


def test_the_database_keeps_the_pair_unique_and_whole(db, requester):
    ChangeRequest.objects.create(title="A", requester=requester, external_source="jira", external_key="PAY-1")
    for fields in ({"external_source": "jira", "external_key": "PAY-1"}, {"external_key": "PAY-2"}):
        with pytest.raises(IntegrityError), transaction.atomic():
            ChangeRequest.objects.create(title="B", requester=requester, **fields)
    ChangeRequest.objects.create(title="C", requester=requester)
    ChangeRequest.objects.create(title="D", requester=requester)  # many changes without a reference


def test_the_list_filters_by_external_source_and_key(frozen, requester, auditor):
    ChangeRequest.objects.create(title="A", requester=requester, external_source="jira", external_key="PAY-1")
    ChangeRequest.objects.create(title="B", requester=requester, external_source="jira", external_key="PAY-2")
    ChangeRequest.objects.create(title="C", requester=requester, external_source="snow", external_key="PAY-1")
    client = client_for(auditor)
    titles = lambda query: sorted(row["title"] for row in client.get(f"/api/changes/?{query}").json()["results"])  # noqa: E731
    assert titles("external_source=jira") == ["A", "B"]
    assert titles("external_key=PAY-1") == ["A", "C"]
    assert titles("external_source=jira&external_key=PAY-1") == ["A"]
    row = client.get("/api/changes/?external_key=PAY-2").json()["results"][0]
    assert row["external_source"] == "jira" and row["external_key"] == "PAY-2"
    page = client_for(requester).get("/changes/?external_source=snow")
    assert page.status_code == 200 and [row.title for row in page.context["rows"]] == ["C"]


def test_the_change_page_shows_and_edits_the_external_reference(client, frozen, requester):
    client.force_login(requester)
    change = ChangeRequest.objects.create(title="A", requester=requester, owner=requester,
                                          external_source="jira", external_key="PAY-42")
    assert "jira:PAY-42" in client.get(f"/changes/{change.pk}/").content.decode()
    form = client.get(f"/changes/{change.pk}/edit/").content.decode()
    assert 'name="external_source"' in form and 'name="external_key"' in form


def test_after_assessment_the_reference_stays(frozen, requester):
    from tests.support import lifecycle as life

    change = life.in_approval(requester, external_source="jira", external_key="PAY-42")
    before = rows()
    answer = client_for(requester).patch(f"/api/changes/{change.pk}/", '{"external_key": "PAY-43"}',
                                         content_type="application/json")
    assert answer.status_code == 403 and "external_key" in answer.json()["detail"]
    assert_nothing_written(before)
