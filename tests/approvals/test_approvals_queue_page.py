"""The "My approvals" page: every slot waiting for me or my role, soonest due first, with SLA badges,
decided in place with htmx; refusals shown inline; a constant number of queries."""
from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from approvals import badges
from approvals.choices import SlotStatus
from approvals.models import ApprovalSlot
from approvals.rules import decision_refusals
from approvals.selectors import first_rows_sent, my_slots, slots_of
from approvals.services import decide
from approvals.services.delegation import create_delegation
from changemgmt.models import LedgerEntry
from tests.support import factories as f
from tests.support.approvals import change_in_approval, ny

QUEUE = "/approvals/queue/"
HTMX = {"HTTP_HX_REQUEST": "true"}


def signed_in(client, user):
    client.force_login(user)
    return client


def decide_url(slot):
    return f"/approvals/queue/{slot.pk}/decide/"


def test_my_approvals_lists_waiting_slots_soonest_due_first_with_badges(frozen, client, requester, peer, peer2):
    change_in_approval(requester, risk=f.MEDIUM_RISK, title="Later one")
    change_in_approval(requester, title="Sooner one")
    page = signed_in(client, peer).get(QUEUE).content.decode()
    assert page.index("Sooner one") < page.index("Later one")
    assert "due in 1 business day" in page and "due in 2 business days" in page
    assert 'href="/approvals/queue/"' in page  # the nav link


def test_an_overdue_slot_says_by_how_much(frozen, client, requester, peer):
    change_in_approval(requester)
    frozen.move_to(ny(2026, 11, 25, 13))
    assert "overdue by 1 day" in signed_in(client, peer).get(QUEUE).content.decode()


def test_the_author_sees_nothing_to_decide_on_their_own_change(frozen, client, requester, peer):
    change_in_approval(requester, title="Mine")
    assert "Mine" not in signed_in(client, requester).get(QUEUE).content.decode()


def test_grant_in_place_swaps_the_row(frozen, client, requester, peer, peer2):
    change = change_in_approval(requester)
    slot = change.approval_slots.order_by("id").first()
    response = signed_in(client, peer).post(decide_url(slot), {"verdict": "grant"}, **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith(f'<tr id="slot-{slot.pk}"') and "Granted" in body
    assert ApprovalSlot.objects.get(pk=slot.pk).decided_by == peer
    assert LedgerEntry.objects.filter(action="approval.granted").count() == 1


def test_a_rejection_without_reason_is_refused_inline(frozen, client, requester, peer):
    slot = change_in_approval(requester).approval_slots.first()
    response = signed_in(client, peer).post(decide_url(slot), {"verdict": "reject", "reason": " "}, **HTMX)
    assert response.status_code == 400
    assert "A rejection needs a reason" in response.content.decode()
    assert ApprovalSlot.objects.get(pk=slot.pk).status == "pending"


def test_reject_with_reason_rejects(frozen, client, requester, peer):
    slot = change_in_approval(requester).approval_slots.first()
    response = signed_in(client, peer).post(decide_url(slot), {"verdict": "reject", "reason": "No rollback"},
                                            **HTMX)
    assert response.status_code == 200 and "No rollback" in response.content.decode()
    assert f.reload(slot.change).state == "rejected"


def test_an_already_decided_slot_answers_409_inline(frozen, client, requester, peer, peer2):
    slot = change_in_approval(requester).approval_slots.first()
    decide(slot_id=slot.pk, actor=peer2, verdict="grant")
    response = signed_in(client, peer).post(decide_url(slot), {"verdict": "grant"}, **HTMX)
    assert response.status_code == 409
    assert "already granted (by pat)" in response.content.decode()


def test_a_forbidden_decision_shows_the_reason_inline(frozen, client, requester, peer, manager):
    slot = change_in_approval(requester).approval_slots.first()  # a peer slot
    response = signed_in(client, manager).post(decide_url(slot), {"verdict": "grant"}, **HTMX)
    assert response.status_code == 200  # htmx swaps it; the refusal is in the row
    assert "Only a holder of the Peer review role" in response.content.decode()
    assert ApprovalSlot.objects.get(pk=slot.pk).status == "pending"


def test_without_htmx_a_forbidden_decision_is_403_and_a_grant_redirects(frozen, client, requester, peer, manager):
    slot = change_in_approval(requester).approval_slots.first()
    assert signed_in(client, manager).post(decide_url(slot), {"verdict": "grant"}).status_code == 403
    response = signed_in(client, peer).post(decide_url(slot), {"verdict": "grant"})
    assert response.status_code == 303 and response["Location"] == QUEUE


def test_auditors_cannot_decide_and_strangers_cannot_see(frozen, client, requester, auditor, outsider):
    slot = change_in_approval(requester).approval_slots.first()
    assert signed_in(client, auditor).post(decide_url(slot), {"verdict": "grant"}).status_code == 403
    assert signed_in(client, outsider).get(QUEUE).status_code == 403


def test_delegated_slots_say_on_whose_behalf(frozen, client, requester, manager, peer):
    change_in_approval(requester, risk=f.MEDIUM_RISK)
    create_delegation(actor=manager, delegate=peer, starts_on=date(2026, 11, 23), ends_on=date(2026, 11, 27))
    page = signed_in(client, peer).get(QUEUE).content.decode()
    assert "On behalf of" in page and "Mia" in page


def test_the_change_page_shows_each_slots_rule_clock_and_history(frozen, client, requester, peer, peer2):
    from approvals.services import sla

    change = change_in_approval(requester)
    frozen.move_to(ny(2026, 11, 24, 0, 1))
    sla.sweep()
    page = signed_in(client, peer).get(f"/changes/{change.pk}/").content.decode()
    assert page.count('class="approvals"') == 1  # one approvals table: decisions, clocks and history
    assert "Reminder (remind 50) to bob, pat" in page
    assert "due in 11 business hours" in page


def queue_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(QUEUE)
    assert response.status_code == 200
    return len(queries), response.content.decode().count('<tr id="slot-')


def test_queue_query_count_is_the_same_for_5_and_50_waiting_slots(frozen, client, requester, peer):
    signed_in(client, peer)
    # Each application change needs two peer reviewers: two slots waiting for `peer`.
    for index in range(3):
        change_in_approval(requester, title=f"Change {index}")
    small, rows = queue_queries(client)
    assert rows == 6
    for index in range(3, 25):
        change_in_approval(requester, title=f"Change {index}")
    large, rows = queue_queries(client)
    assert rows == 50
    # the session, the user (with the policy revision and the unread count), the delegations to and from
    # them (one query), the slots, their changes' live slots: no version query of its own (the page
    # hashes its rows)
    assert small == large <= 5


def test_the_plain_queue_rows_answer_as_the_model_slots_do(frozen, client, requester, peer, peer2, manager):
    """The queue reads values, not model instances: separation of duties, the SLA badge and the names
    must come out as they do for the model slot with its live siblings."""
    first = change_in_approval(requester, risk=f.MEDIUM_RISK, title="Half reviewed")
    change_in_approval(requester, title="Untouched")
    decide(slot_id=first.approval_slots.filter(role="peer").order_by("id").first().pk, actor=peer, verdict="grant")
    rclock = badges.RequestClock(timezone.now())
    compared = 0
    for user, status in ((peer, "pending"), (peer2, "pending"), (manager, "pending"), (peer, "granted")):
        rows, _ = my_slots(user, status=status)
        assert rows
        for row in rows:
            slot = ApprovalSlot.objects.select_related("change", "decided_by").get(pk=row.pk)
            siblings = list(slot.change.approval_slots.exclude(status=SlotStatus.SUPERSEDED)
                            .select_related("decided_by"))
            assert (decision_refusals(user, row, siblings=row.change.live_slots)
                    == decision_refusals(user, slot, siblings=siblings))
            assert badges.sla_badge(row, rclock) == badges.sla_badge(slot, rclock)
            assert (row.change.reference, row.change.title, row.get_role_display(), row.get_channel_display()) == (
                slot.change.reference, slot.change.title, slot.get_role_display(), slot.get_channel_display())
            if slot.decided_by_id:
                assert (row.decided_by.get_full_name(), row.decided_by.username) == (
                    slot.decided_by.get_full_name(), slot.decided_by.username)
            compared += 1
    assert compared >= 5
    page = signed_in(client, peer).get(QUEUE).content.decode()
    assert "One person may not fill two approval slots on the same change." in page


def test_the_rows_are_built_while_their_changes_live_slots_are_read(frozen, requester, peer, manager):
    """selectors.slots_of hands the slots to `meanwhile` before their changes' live slots arrive (the
    siblings' query runs in the database meanwhile, CompiledQuery.sent) and fills them in after: the same
    slots and siblings as without it."""
    first = change_in_approval(requester, risk=f.MEDIUM_RISK, title="Half reviewed")
    change_in_approval(requester, title="Untouched")
    decide(slot_id=first.approval_slots.filter(role="peer").order_by("id").first().pk, actor=peer, verdict="grant")
    seen = []
    with CaptureQueriesContext(connection) as queries:
        with first_rows_sent(manager, []) as first:  # as the page reads them
            pass
        rows = slots_of(first.rows(), meanwhile=lambda slots: seen.extend(
            (slot.pk, list(slot.change.live_slots)) for slot in slots))
    assert [pk for pk, _live in seen] == [row.pk for row in rows]
    assert any(s.status == SlotStatus.GRANTED for row in rows for s in row.change.live_slots)
    assert all(live == [] for _pk, live in seen)
    assert len(queries) == 3  # the user's roles, the slots, their changes' live slots
    plain, _ = my_slots(manager)
    assert rows == plain
    assert {s.pk for row in rows for s in row.change.live_slots} == set(
        ApprovalSlot.objects.filter(change__in=[row.change_id for row in rows])
        .exclude(status=SlotStatus.SUPERSEDED).values_list("pk", flat=True))


def test_a_pending_row_names_a_decider_its_row_carries_no_name_for(frozen, requester, peer, manager):
    """The pending queue's query reads no names (a pending slot has no decider, which the services see
    to); a pending slot that names one all the same gets them from one more query."""
    slot = change_in_approval(requester, risk=f.MEDIUM_RISK).approval_slots.filter(role="peer").first()
    ApprovalSlot.objects.filter(pk=slot.pk).update(decided_by=manager, on_behalf_of=manager)
    [row] = [row for row in my_slots(peer)[0] if row.pk == slot.pk]
    assert (row.decided_by.username, row.decided_by.get_full_name(), row.on_behalf_of is row.decided_by) == (
        manager.username, manager.get_full_name(), True)
    assert all(other.decided_by is None for other in my_slots(peer)[0] if other.pk != slot.pk)


def test_on_postgresql_the_page_waits_for_the_database_only_for_what_it_reads_ahead(frozen, client, requester,
                                                                                     peer):
    """My approvals renders its frame while the database reads its slots, and builds its rows while it reads
    their siblings (CompiledQuery.sent): no other query may run in those windows, or it would wait for
    the one under way and the page would lose the overlap."""
    if connection.vendor != "postgresql":
        import pytest

        pytest.skip("pipeline mode is PostgreSQL's")
    for index in range(3):
        change_in_approval(requester, title=f"Change {index}")
    signed_in(client, peer)
    client.get(QUEUE)  # the statements prepared (outside any pipeline) on this connection
    ahead = []

    def record(execute, sql, params, many, context):
        if connection.connection.pgconn.pipeline_status:
            ahead.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        page = client.get(QUEUE).content.decode()
    assert page.count('<tr id="slot-') == 6  # two peer slots each
    assert len(ahead) == 2 and all(sql.startswith("EXECUTE cm_") for sql in ahead)
