"""Sortable columns: the page's headers and `GET /api/changes/?sort=` share changes.filters'
ordering; risk and state sort in their own order; a bad key is refused by the API (400) and shown
on the page; the page's query count does not grow with the rows."""
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from changes import services
from tests.support import factories as f
from tests.support.api import token_client


def filed(requester, titles):
    return [services.create_change(actor=requester, data=f.complete_fields(title=title)) for title in titles]


def test_the_page_sorts_by_title_and_the_header_offers_the_reverse(client, frozen, requester):
    filed(requester, ["Bravo", "Alpha", "Charlie"])
    client.force_login(requester)
    response = client.get(reverse("changes:list"), {"sort": "title"})
    assert [c.title for c in response.context["rows"]] == ["Alpha", "Bravo", "Charlie"]
    html = response.content.decode()
    assert 'aria-sort="ascending"' in html and "sort=-title" in html
    response = client.get(reverse("changes:list"), {"sort": "-title"})
    assert [c.title for c in response.context["rows"]] == ["Charlie", "Bravo", "Alpha"]


def test_risk_sorts_low_to_critical_not_alphabetically(frozen, requester):
    low, high, medium = filed(requester, ["low", "high", "medium"])
    for change, scores in ((low, f.LOW_RISK), (high, f.HIGH_RISK), (medium, f.MEDIUM_RISK)):
        services.run_transition(change_id=change.pk, name="submit", actor=requester)
        services.score_risk(change_id=change.pk, actor=requester, data=scores)
    answer = token_client(requester).get("/api/changes/?sort=risk").json()
    assert [row["title"] for row in answer["results"]] == ["low", "medium", "high"]
    answer = token_client(requester).get("/api/changes/?sort=-risk").json()
    assert [row["title"] for row in answer["results"]] == ["high", "medium", "low"]


def test_the_api_refuses_an_unknown_sort_key(requester, db):
    response = token_client(requester).get("/api/changes/?sort=colour")
    assert response.status_code == 400 and "sort" in response.json()


def test_sorting_keeps_the_query_count(client, frozen, requester):
    client.force_login(requester)
    url = reverse("changes:list") + "?sort=-planned_start"

    def cost():
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    filed(requester, ["a", "b"])
    small = cost()
    filed(requester, [f"more {n}" for n in range(8)])
    assert cost() == small
