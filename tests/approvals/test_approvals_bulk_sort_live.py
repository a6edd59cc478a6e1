"""My approvals as a team works it: grant several at once with one reason (each slot through
approvals.services.decide, each refusal reported), sortable columns shared with the API, and the
table that updates without a reload (a cheap `?since=` check answering 204 while nothing moved)."""
from approvals.choices import SlotStatus
from approvals.models import ApprovalSlot
from approvals.selectors import queue_version
from changemgmt.models import LedgerEntry
from tests.support import factories as f
from tests.support.api import token_client
from tests.support.approvals import change_in_approval

QUEUE = "/approvals/queue/"
BULK = "/approvals/queue/grant-selected/"
HX = {"HX-Request": "true"}


def pending(change, role):
    return ApprovalSlot.objects.filter(change=change, role=role, status=SlotStatus.PENDING).order_by("id").first()


def test_grant_selected_with_one_reason_reports_each_refusal(frozen, client, requester, peer):
    first, second = change_in_approval(requester, title="One"), change_in_approval(requester, title="Two")
    medium = change_in_approval(requester, risk=f.MEDIUM_RISK, title="Needs a manager")
    not_mine = pending(medium, "manager")
    client.force_login(peer)
    page = client.get(QUEUE).content.decode()
    assert 'id="bulk-grant"' in page and f'value="{pending(first, "peer").pk}" form="bulk-grant"' in page
    slots = [pending(first, "peer").pk, pending(second, "peer").pk, not_mine.pk]
    response = client.post(BULK, {"slots": slots, "reason": "Reviewed in the Tuesday sync"}, follow=True)
    shown = [str(m) for m in response.context["messages"]]
    assert any(m.startswith("Granted 2:") for m in shown)
    assert any(m.startswith(f"{medium.reference} Manager not granted") for m in shown)
    granted = ApprovalSlot.objects.filter(pk__in=slots[:2])
    assert {s.status for s in granted} == {SlotStatus.GRANTED}
    assert {s.reason for s in granted} == {"Reviewed in the Tuesday sync"}
    assert ApprovalSlot.objects.get(pk=not_mine.pk).status == SlotStatus.PENDING


def test_grant_selected_needs_a_selection_and_a_reason(frozen, client, requester, peer):
    change = change_in_approval(requester)
    client.force_login(peer)
    before = LedgerEntry.objects.count()
    for data in ({"slots": [pending(change, "peer").pk]}, {"reason": "ok"}):
        response = client.post(BULK, data, follow=True)
        assert "Nothing granted" in " ".join(str(m) for m in response.context["messages"])
    assert LedgerEntry.objects.count() == before


def test_the_columns_sort_and_the_api_shares_the_keys(frozen, client, requester, peer):
    change_in_approval(requester, risk=f.MEDIUM_RISK, title="Later one")
    change_in_approval(requester, title="Sooner one")
    client.force_login(peer)
    page = client.get(QUEUE, {"sort": "-due"}).content.decode()
    assert page.index("Later one") < page.index("Sooner one") and 'aria-sort="descending"' in page
    api = token_client(peer)
    rows = api.get("/api/approvals/mine/?sort=-due").json()
    assert rows[0]["change_title"] == "Later one" and rows[-1]["change_title"] == "Sooner one"
    bad = api.get("/api/approvals/mine/?sort=colour")
    assert bad.status_code == 400 and "sort" in bad.json()


def test_the_queue_updates_without_a_reload(frozen, client, requester, peer):
    change_in_approval(requester, title="First")
    client.force_login(peer)
    version = queue_version(peer)
    page = client.get(QUEUE).content.decode()
    assert f"since={version}" in page and 'hx-select="#queue-live"' in page
    assert client.get(QUEUE, {"since": version}, headers=HX).status_code == 204
    change_in_approval(requester, title="Arrived meanwhile")
    moved = client.get(QUEUE, {"since": version}, headers=HX)
    assert moved.status_code == 200 and "Arrived meanwhile" in moved.content.decode()


def test_a_sorted_queue_costs_the_same_queries_at_two_sizes(frozen, client, requester, peer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(peer)

    def cost():
        client.get(QUEUE, {"sort": "-requested"})
        with CaptureQueriesContext(connection) as queries:
            assert client.get(QUEUE, {"sort": "-requested"}).status_code == 200
        return len(queries)

    change_in_approval(requester, title="one")
    small = cost()
    for n in range(4):
        change_in_approval(requester, title=f"more {n}")
    assert cost() == small


def test_a_sorted_queue_polls_with_its_own_version_at_the_same_cost(frozen, client, requester, peer):
    """The version hashes the rows shown in the page's order: a sorted page's poll answers 204 until
    they move, and the poll costs the same queries whatever the number of rows."""
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(peer)
    change_in_approval(requester, title="one")

    def poll_cost():
        page = client.get(QUEUE, {"sort": "-role"}).content.decode()
        since = re.search(r'data-version="([0-9a-f]+)"', page).group(1)
        assert since == queue_version(peer, sort="-role")
        with CaptureQueriesContext(connection) as queries:
            assert client.get(QUEUE, {"sort": "-role", "since": since}, headers=HX).status_code == 204
        return len(queries)

    small = poll_cost()
    for n in range(4):
        change_in_approval(requester, title=f"more {n}")
    assert poll_cost() == small
