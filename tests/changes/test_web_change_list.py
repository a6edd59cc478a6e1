"""The change list and the dashboard: filters, search by reference, pagination, and a query count
that does not grow with the number of rows (pinned at two data sizes)."""
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from approvals.models import SlaStep
from approvals.services import decide
from changes import services
from changes.lists import selectors as list_selectors
from changes.lists.models import SavedFilter
from tests.support import factories as f


def file_changes(requester, count, **overrides):
    return [services.create_change(actor=requester, data=f.complete_fields(title=f"Change {i}", **overrides))
            for i in range(count)]


DETAIL_QUERIES = 5


def count_queries(client, url, **extra):
    client.get(url, **extra)  # warm the policy cache and the session
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **extra)
    assert response.status_code == 200
    return len(queries)


def test_search_by_reference_finds_that_change(client, frozen, requester):
    changes = file_changes(requester, 3)
    client.force_login(requester)
    response = client.get(reverse("changes:list"), {"q": changes[1].reference})
    assert [c.pk for c in response.context["rows"]] == [changes[1].pk]


def test_filters_by_state_and_owner_and_htmx_gets_only_the_table(client, frozen, requester, peer):
    first, second = file_changes(requester, 2)
    services.run_transition(change_id=first.pk, name="submit", actor=requester)
    services.create_change(actor=peer, data=f.complete_fields(title="Peer's change"))
    client.force_login(requester)
    response = client.get(reverse("changes:list"), {"state": "assessment"})
    assert [c.pk for c in response.context["rows"]] == [first.pk]
    response = client.get(reverse("changes:list"), {"owner": requester.pk, "state": ["draft", "assessment"]})
    assert {c.pk for c in response.context["rows"]} == {first.pk, second.pk}
    fragment = client.get(reverse("changes:list"), {"q": "Peer"}, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment and 'id="change-table"' in fragment and "Peer&#x27;s change" in fragment


def test_date_filter_accepts_the_date_picker_value(client, frozen, requester):
    file_changes(requester, 1)
    client.force_login(requester)
    assert len(client.get(reverse("changes:list"), {"planned_after": "2026-12-01"}).context["rows"]) == 1
    assert len(client.get(reverse("changes:list"), {"planned_after": "2026-12-02"}).context["rows"]) == 0


def test_list_pages_by_fifty(client, frozen, requester):
    file_changes(requester, 51)
    client.force_login(requester)
    first = client.get(reverse("changes:list"))
    assert len(first.context["rows"]) == 50 and "Page 1 of 2" in first.content.decode()
    assert len(client.get(reverse("changes:list"), {"page": 2}).context["rows"]) == 1


def test_dashboard_shows_my_changes_and_what_awaits_my_decision(client, frozen, requester, peer):
    mine = file_changes(requester, 1)[0]
    services.run_transition(change_id=mine.pk, name="submit", actor=requester)
    services.score_risk(change_id=mine.pk, actor=requester, data=f.LOW_RISK)
    services.run_transition(change_id=mine.pk, name="assess", actor=requester)
    client.force_login(requester)
    page = client.get(reverse("dashboard"))
    assert [c.pk for c in page.context["mine"]] == [mine.pk] and page.context["awaiting"] == []
    client.force_login(peer)
    assert [c.pk for c in client.get(reverse("dashboard")).context["awaiting"]] == [mine.pk]


def populate(requester, peer, count):
    """`count` changes, each with services, approval slots (one decided) and test evidence."""
    extra = f.make_service("ledger-writer")
    for change in file_changes(requester, count):
        change.services.add(extra)
        services.run_transition(change_id=change.pk, name="submit", actor=requester)
        services.score_risk(change_id=change.pk, actor=requester, data=f.LOW_RISK)
        services.run_transition(change_id=change.pk, name="assess", actor=requester)
        decide(slot_id=change.approval_slots.order_by("id").first().pk, actor=peer, verdict="grant")


@pytest.mark.parametrize("url_name", ["changes:list", "dashboard"])
def test_list_query_count_does_not_grow_with_rows(client, frozen, requester, peer, url_name):
    client.force_login(requester)
    populate(requester, peer, 3)
    small = count_queries(client, reverse(url_name))
    populate(requester, peer, 27)
    assert count_queries(client, reverse(url_name)) == small
    if url_name == "changes:list":
        # the session with its user, roles and inbox state; count; rows with their services; the owner
        # and service options of the filters with the saved filters (not read for the table htmx swaps in)
        assert small == 4
        assert count_queries(client, reverse(url_name), headers={"HX-Request": "true"}) == 3


def test_filtered_list_query_count_does_not_grow_with_rows(client, frozen, requester, peer):
    """Through the FilterSet (its form class built once per process): the unfiltered page's queries
    and the service filter's own lookup of the service it names, at two sizes."""
    client.force_login(requester)
    SavedFilter.objects.create(user=requester, name="Submitted", query="state=submitted")
    populate(requester, peer, 3)
    service = f.make_service("ledger-writer").pk
    url = f"{reverse('changes:list')}?state=approval&state=testing&service={service}&sort=owner"
    small = count_queries(client, url)
    populate(requester, peer, 27)
    assert count_queries(client, url) == small == 5
    assert count_queries(client, url, headers={"HX-Request": "true"}) == 4


def in_testing(requester, approvers, *, evidence, service_names, **overrides):
    change = services.create_change(actor=requester, data=f.complete_fields(**overrides))
    for name in service_names:
        change.services.add(f.make_service(name))
    services.run_transition(change_id=change.pk, name="submit", actor=requester)
    for _ in range(evidence):  # rescoring adds history rows and ledger entries
        services.score_risk(change_id=change.pk, actor=requester, data=f.LOW_RISK)
    services.run_transition(change_id=change.pk, name="assess", actor=requester)
    for slot, approver in zip(change.approval_slots.order_by("id"), approvers, strict=False):
        decide(slot_id=slot.pk, actor=approver, verdict="grant")
    for i in range(evidence):
        services.record_test_evidence(change_id=change.pk, actor=requester, data={
            "test_type": ["unit", "integration", "staging"][i % 3], "result": "passed", "summary": f"run {i}"})
    return f.reload(change)


def test_detail_query_count_does_not_grow_with_slots_evidence_or_history(client, frozen, requester, peer, peer2,
                                                                         security):
    client.force_login(requester)
    small = in_testing(requester, [peer, peer2], evidence=1, service_names=[])
    big = in_testing(requester, [peer, peer2, security], evidence=9, service_names=["refunds", "billing", "ledger"],
                     security_triggers=["crypto"])
    assert big.approval_slots.count() == 3 and small.approval_slots.count() == 2
    assert big.state == small.state == "testing"
    # Reminders sent on every slot of the big one: the slots' history reads them in one query.
    for slot in big.approval_slots.all():
        for number, step in enumerate(("remind_50", "remind_80")):
            SlaStep.objects.create(slot=slot, step=step, scheduled_at=slot.created_at + timedelta(hours=number + 1),
                                   sent_at=slot.created_at + timedelta(hours=number + 1), recipients=["mia"])
    big_count = count_queries(client, reverse("changes:detail", args=[big.pk]))
    assert big_count == count_queries(client, reverse("changes:detail", args=[small.pk]))
    # Pinned (bench/README.md): the session with its user, roles, policy revision and unread count; the
    # change with its services, slots and their SLA steps, evidence, roll-backs, people, conflicts,
    # ledger and history in one query (changes.page_loader; no rollout before it can exist); and what
    # the testing step's gates read.
    assert big_count == DETAIL_QUERIES, big_count


def test_rows_escape_titles_and_show_services_owner_and_local_start(client, frozen, requester):
    change = services.create_change(actor=requester, data=f.complete_fields(title='<script>alert("x")</script> & co'))
    change.services.add(f.make_service("zeta-api"), f.make_service("alpha-db"))
    client.force_login(requester)
    for url in (reverse("changes:list"), reverse("dashboard")):
        page = client.get(url).content.decode()
        assert "<script>alert" not in page and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co" in page
        assert page.index("alpha-db") < page.index("zeta-api")
        assert f'href="{reverse("changes:detail", args=[change.pk])}"' in page and change.reference in page
        assert '<time datetime="2026-12-01T06:00:00-05:00">1 Dec 06:00</time>' in page
        assert (requester.get_full_name() or requester.username) in page


def test_catalog_buttons_are_named_by_their_visible_label(client, requester):
    from changes.models import StandardTemplate

    StandardTemplate.objects.create(name="Documentation update", category="application", description="Docs only.",
                                    implementation_plan="Merge.", test_plan="Build.", rollback_plan="Revert.",
                                    risk_scores={"systems": 1, "users": 1, "data": 1, "reversibility": 1,
                                                 "security": 1})
    client.force_login(requester)
    html = client.get("/changes/catalog/").content.decode()
    assert "aria-label=" not in html.split('class="catalog"')[1]  # the name is the visible text, plus the template
    assert 'role="button">Use this template<span class="visually-hidden">: Documentation update</span></a>' in html


def test_the_filter_options_and_saved_filters_are_one_query(requester, peer, outsider, django_assert_num_queries):
    """Owners are active accounts with a role (by username), services by name, and only the person's
    own saved filters (by name), from one UNION ALL."""
    peer.is_active = False
    peer.save(update_fields=["is_active"])
    for name in ("zeta", "alpha"):
        f.make_service(name)
    for user, name in ((requester, "b"), (requester, "A"), (peer, "theirs")):
        SavedFilter.objects.create(user=user, name=name, query=f"q={name}")
    with django_assert_num_queries(1):
        choices = list_selectors.page_choices(requester)
    owners = dict(choices.owners)
    assert requester.pk in owners and peer.pk not in owners and outsider.pk not in owners
    names = [name for _pk, name in choices.services]
    assert names.index("alpha") < names.index("zeta")
    assert [(saved.name, saved.query) for saved in choices.saved] == [("A", "q=A"), ("b", "q=b")]
