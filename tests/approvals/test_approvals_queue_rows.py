"""My approvals' rows (approvals.queue_table.QueueTable, printed by the queue_rows tag): values escaped,
the page's CSRF field in each decision form, refusals, delegated and decided rows and an inline error
shown as the row template showed them, and the rows made before the refusals that need the siblings."""
from datetime import date

from django.template import engines

from approvals import selectors
from approvals.models import ApprovalSlot
from approvals.queue_table import QueueTable
from approvals.services import decide
from approvals.services.delegation import create_delegation
from tests.support import factories as f
from tests.support.approvals import change_in_approval


def table_of(user, slots, *, delegators=(), error=""):
    table = QueueTable(user, list(delegators), error=error)
    selectors.queue_slots(ApprovalSlot.objects.filter(pk__in=[slot.pk for slot in slots]).order_by("pk"),
                          meanwhile=table.begin)
    return table.finish()


def render(table, token="tok'en"):
    template = engines["django"].from_string("{% load queue_rows %}{% queue_rows table %}")
    return template.render({"table": table, "csrf_token": token})


def test_a_pending_row_has_the_form_the_csrf_field_the_checkbox_and_escaped_text(frozen, requester, peer):
    change = change_in_approval(requester, title="<script>x</script> & co")
    slot = change.approval_slots.filter(role="peer").order_by("ordinal").first()
    table = table_of(peer, [slot])
    html = render(table)
    assert f'<tr id="slot-{slot.pk}" class="slot-pending">' in html
    assert "&lt;script&gt;x&lt;/script&gt; &amp; co" in html
    assert "<script>" not in html
    assert '<input type="hidden" name="csrfmiddlewaretoken" value="tok&#x27;en">' in html
    assert f'hx-post="/approvals/queue/{slot.pk}/decide/"' in html and 'value="grant"' in html
    assert (f'name="slots" value="{slot.pk}" form="bulk-grant" '
            f'aria-label="Select {slot.change.reference} Peer review"') in html
    assert table.can_bulk and "due " in html


def test_a_refused_row_says_why_and_offers_neither_form_nor_checkbox(frozen, requester, peer):
    slot = change_in_approval(requester).approval_slots.filter(role="peer").order_by("ordinal").first()
    table = table_of(requester, [slot])
    html = render(table)
    assert '<p class="muted small">You may not decide this: ' in html
    assert "The author or owner of a change may not approve it.</p>" in html
    assert "<form" not in html and 'name="slots"' not in html and not table.can_bulk


def test_the_refusals_are_worked_out_once_the_siblings_are_in(frozen, requester, peer):
    """`begin` makes the rows without the refusals (the live slots are still being read); `finish` adds them."""
    slot = change_in_approval(requester).approval_slots.filter(role="peer").order_by("ordinal").first()
    table = QueueTable(requester, [])
    [queued] = selectors.queue_slots(ApprovalSlot.objects.filter(pk=slot.pk))
    table.begin([queued])
    assert table.rows[0].refusals == "" and table.can_bulk
    assert table.finish().rows[0].refusals and not table.can_bulk


def test_delegated_decided_and_errored_rows(frozen, requester, peer, peer2, manager):
    change = change_in_approval(requester, risk=f.MEDIUM_RISK)
    create_delegation(actor=manager, delegate=peer, starts_on=date(2026, 11, 23), ends_on=date(2026, 11, 27))
    manager_slot = change.approval_slots.get(role="manager")
    delegated = render(table_of(peer, [manager_slot], delegators=[manager], error="Stale <x>"))
    assert "On behalf of <strong>Mia" in delegated and "(delegated)" in delegated
    assert "Not recorded: Stale &lt;x&gt;" in delegated
    peer_slot = change.approval_slots.filter(role="peer").first()
    decide(slot_id=peer_slot.pk, actor=peer2, verdict="grant", reason='ok "fine"')
    decided = render(table_of(peer2, [peer_slot]))
    assert f"by <strong>{peer2.get_full_name()}</strong>" in decided and "“ok &quot;fine&quot;”" in decided
    assert "<form" not in decided and 'class="slot-granted"' in decided
