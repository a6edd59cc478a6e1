"""CSV export of the current filter: every matching change (all pages) in the list's order, streamed,
spreadsheet formulas defused; a bad filter is a 400 naming it; the query count does not grow per row."""
import csv
import io

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from changes import services
from changes.lists import selectors
from tests.support import factories as f


def export(client, **params):
    response = client.get(reverse("lists:export"), params)
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"].startswith("text/csv") and "attachment" in response["Content-Disposition"]
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_export_follows_the_filter_and_the_sort(client, frozen, requester, peer):
    for title in ("Bravo", "Alpha"):
        services.create_change(actor=requester, data=f.complete_fields(title=title))
    services.create_change(actor=peer, data=f.complete_fields(title="Not mine"))
    client.force_login(requester)
    rows = export(client, owner=requester.pk, sort="title")
    assert rows[0][:3] == ["reference", "title", "state"]
    assert [row[1] for row in rows[1:]] == ["Alpha", "Bravo"]
    assert rows[1][8] == "payments-api" and rows[1][6] == "alice"


def test_every_page_is_exported_in_chunks(client, frozen, requester, monkeypatch):
    monkeypatch.setattr(selectors, "EXPORT_CHUNK", 2)
    for n in range(5):
        services.create_change(actor=requester, data=f.complete_fields(title=f"Change {n}"))
    client.force_login(requester)
    rows = export(client, sort="title")
    assert [row[1] for row in rows[1:]] == [f"Change {n}" for n in range(5)]


def test_a_formula_in_a_title_is_defused(client, frozen, requester):
    services.create_change(actor=requester, data=f.complete_fields(title="=HYPERLINK(\"http://evil\")"))
    client.force_login(requester)
    assert export(client)[1][1].startswith("'=")


def test_a_bad_filter_is_400_naming_it(client, requester, db):
    client.force_login(requester)
    response = client.get(reverse("lists:export"), {"sort": "colour"})
    assert response.status_code == 400 and b"sort" in response.content


def test_the_export_needs_a_role(client, outsider):
    client.force_login(outsider)
    assert client.get(reverse("lists:export")).status_code == 403


def test_the_export_costs_the_same_queries_per_chunk(client, frozen, requester):
    client.force_login(requester)

    def cost():
        with CaptureQueriesContext(connection) as queries:
            b"".join(client.get(reverse("lists:export")).streaming_content)
        return len(queries)

    services.create_change(actor=requester, data=f.complete_fields(title="one"))
    small = cost()
    for n in range(6):
        services.create_change(actor=requester, data=f.complete_fields(title=f"more {n}"))
    assert cost() == small
