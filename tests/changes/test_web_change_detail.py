"""The change page: the gate checklist, only the actions a user may take, refusals that list every
missing item and change nothing, approvals with separation of duties, the scorecard and evidence."""
import pytest
from django.urls import reverse

from approvals.models import ApprovalSlot
from changemgmt.models import LedgerEntry
from changes import services
from changes.choices import State
from tests.support import factories as f


def detail(client, change):
    return client.get(reverse("changes:detail", args=[change.pk]))


def post_transition(client, change, name, data=None, **headers):
    return client.post(reverse("changes:transition", args=[change.pk, name]), data or {}, headers=headers)


def in_approval(requester):
    change = services.create_change(actor=requester, data=f.complete_fields())
    services.run_transition(change_id=change.pk, name="submit", actor=requester)
    services.score_risk(change_id=change.pk, actor=requester, data=f.LOW_RISK)
    return services.run_transition(change_id=change.pk, name="assess", actor=requester)


@pytest.fixture
def draft(frozen, requester):
    return services.create_change(actor=requester, data={"title": "Bare draft", "change_type": "normal",
                                                         "category": "application"})


def test_refused_submit_lists_every_missing_item_and_changes_nothing(client, draft, requester):
    client.force_login(requester)
    entries = LedgerEntry.objects.count()
    response = post_transition(client, draft, "submit")
    assert response.status_code == 409
    html = response.content.decode()
    assert "Refused — nothing was changed" in html
    missing = services.transition_missing(f.reload(draft), "submit")
    assert len(missing) >= 8
    for item in missing:
        assert f'data-code="{item.code}"' in html and item.policy in html
    assert f.reload(draft).state == State.DRAFT and LedgerEntry.objects.count() == entries


def test_htmx_refusal_answers_409_with_the_step_fragment(client, draft, requester):
    client.force_login(requester)
    response = post_transition(client, draft, "submit", HX_Request="true")
    assert response.status_code == 409
    html = response.content.decode()
    assert 'id="step-submit"' in html and "<html" not in html
    assert "Business justification is required." in html


def test_permitted_transition_moves_the_state_and_writes_a_ledger_entry(client, frozen, requester):
    change = services.create_change(actor=requester, data=f.complete_fields())
    client.force_login(requester)
    response = post_transition(client, change, "submit")
    assert response.status_code == 303
    assert f.reload(change).state == State.ASSESSMENT
    entry = LedgerEntry.objects.filter(action="change.submit").get()
    assert entry.actor == requester and entry.payload["to"] == State.ASSESSMENT
    page = detail(client, change).content.decode()
    assert "is now “In assessment”" in page and "change.submit" in page  # message and timeline


def test_htmx_success_redirects_the_whole_page(client, frozen, requester):
    change = services.create_change(actor=requester, data=f.complete_fields())
    client.force_login(requester)
    response = post_transition(client, change, "submit", HX_Request="true")
    assert response.status_code == 204 and response["HX-Redirect"] == reverse("changes:detail", args=[change.pk])


def test_buttons_are_hidden_from_those_who_may_not_act(client, frozen, requester, peer):
    change = services.create_change(actor=requester, data=f.complete_fields())
    client.force_login(peer)
    html = detail(client, change).content.decode()
    assert f'action="/changes/{change.pk}/transitions/submit/"' not in html
    assert "You cannot take this step" in html
    assert f'href="/changes/{change.pk}/edit/"' not in html
    assert post_transition(client, change, "submit").status_code == 403
    client.force_login(requester)
    html = detail(client, change).content.decode()
    assert f'action="/changes/{change.pk}/transitions/submit/"' in html
    assert f'action="/changes/{change.pk}/transitions/reject/"' not in html  # authors never reject


def test_author_sees_no_decision_buttons_and_self_approval_is_refused(client, frozen, requester):
    change = in_approval(requester)
    slot = change.approval_slots.first()
    client.force_login(requester)
    assert f'action="/approvals/{slot.pk}/decide/"' not in detail(client, change).content.decode()
    response = client.post(reverse("approvals:decide", args=[slot.pk]), {"verdict": "grant"})
    assert response.status_code == 403
    assert ApprovalSlot.objects.get(pk=slot.pk).status == "pending"


def test_reviewer_grants_from_the_change_page_and_rejecting_needs_a_reason(client, frozen, requester, peer, peer2):
    change = in_approval(requester)
    first, second = change.approval_slots.order_by("id")
    client.force_login(peer)
    html = detail(client, change).content.decode()
    assert f'action="/approvals/{first.pk}/decide/"' in html
    response = client.post(reverse("approvals:decide", args=[first.pk]), {"verdict": "reject", "reason": ""},
                           follow=True)
    assert "A rejection needs a reason." in response.content.decode()
    assert ApprovalSlot.objects.get(pk=first.pk).status == "pending"
    client.post(reverse("approvals:decide", args=[first.pk]), {"verdict": "grant", "reason": "Looks good"})
    html = detail(client, change).content.decode()
    assert "Looks good" in html and f'action="/approvals/{second.pk}/decide/"' not in html  # one slot each
    client.force_login(peer2)
    client.post(reverse("approvals:decide", args=[second.pk]), {"verdict": "grant"})
    assert f.reload(change).state == State.TESTING


def test_risk_override_needs_a_justification_and_shows_both_levels(client, frozen, requester, peer):
    change = services.create_change(actor=requester, data=f.complete_fields())
    client.force_login(peer)
    url = reverse("changes:risk", args=[change.pk])
    response = client.post(url, {**f.LOW_RISK, "override": "high", "override_reason": ""})
    assert response.status_code == 400
    assert "needs a written justification" in response.content.decode()
    assert f.reload(change).risk_level == ""
    client.post(url, {**f.LOW_RISK, "override": "high", "override_reason": "Touches refunds at month end"})
    html = detail(client, change).content.decode()
    assert "Raised to high" in html and "Touches refunds at month end" in html
    change = f.reload(change)
    assert (change.risk_computed, change.risk_level) == ("low", "high")


def test_out_of_range_score_is_a_field_error(client, frozen, requester):
    change = services.create_change(actor=requester, data=f.complete_fields())
    client.force_login(requester)
    response = client.post(reverse("changes:risk", args=[change.pk]), {**f.LOW_RISK, "systems": "7"})
    assert response.status_code == 400 and "Score must be 1, 2 or 3." in response.content.decode()


def test_test_evidence_is_recorded_from_the_page(client, frozen, requester, peer, peer2):
    change = in_approval(requester)
    from approvals.services import decide

    for slot, who in zip(change.approval_slots.order_by("id"), [peer, peer2], strict=True):
        decide(slot_id=slot.pk, actor=who, verdict="grant")
    client.force_login(requester)
    url = reverse("changes:evidence", args=[change.pk])
    assert client.post(url, {"test_type": "unit", "result": "passed", "summary": ""}).status_code == 400
    client.post(url, {"test_type": "unit", "result": "passed", "summary": "412 passed"})
    html = detail(client, change).content.decode()
    assert "412 passed" in html and "unit: passed" in html
    assert post_transition(client, change, "test").status_code == 303
    assert f.reload(change).state == State.READY


def test_timeline_merges_field_history_and_ledger_newest_first(client, frozen, requester):
    change = services.create_change(actor=requester, data=f.complete_fields())
    frozen.shift(60)
    services.update_change(change_id=change.pk, actor=requester, data={"title": "Renamed title"})
    client.force_login(requester)
    events = detail(client, change).context["timeline"]
    assert events[0].when >= events[-1].when
    assert {e.source for e in events} == {"history", "ledger"}
    renamed = next(e for e in events if e.source == "history" and e.changes)
    assert ("Title", "Upgrade payments API to v2.3", "Renamed title") in renamed.changes


def test_a_transition_from_the_wrong_state_is_a_message_not_an_error(client, frozen, requester):
    change = services.create_change(actor=requester, data=f.complete_fields())
    client.force_login(requester)
    response = client.post(reverse("changes:transition", args=[change.pk, "verify"]), follow=True)
    assert response.status_code == 200
    assert "“Verified in production” is not possible while the change is at “Draft”" in response.content.decode()
    assert f.reload(change).state == State.DRAFT


def test_unknown_transition_or_change_is_404(client, frozen, requester):
    change = services.create_change(actor=requester, data=f.complete_fields())
    client.force_login(requester)
    assert post_transition(client, change, "teleport").status_code == 404
    assert client.post(reverse("changes:transition", args=[change.pk + 999, "submit"])).status_code == 404


def test_the_rollback_record_shows_while_rolled_back_and_once_closed(client, frozen, requester, peer, peer2):
    """The page shows the roll-back record while the change is rolled back and once it is closed."""
    from datetime import timedelta

    from tests.support import lifecycle as life

    change = life.deployed(requester, [peer, peer2], frozen)
    client.force_login(requester)
    assert ">Rollback</h2>" not in detail(client, change).content.decode()
    services.run_transition(change_id=change.pk, name="roll_back", actor=requester, data={
        "severity": "high", "trigger": "error_rate_rise", "kind": "application",
        "decided_at": f.DEPLOY_TIME.isoformat(), "completed_at": (f.DEPLOY_TIME + timedelta(minutes=12)).isoformat(),
        "reason": "5xx rose to 4 %", "steps_executed": "Redeployed v2.2", "impact": "12 min of errors",
        "root_cause": "Null <refunds>", "preventive_measures": "Contract test for refunds"})
    rolled_back = detail(client, change).content.decode()
    services.run_transition(change_id=change.pk, name="close", actor=requester, data={
        "outcome": "rolled_back", "review_answers": life.ALL_REVIEW, "lessons_learned": "x"})
    closed = detail(client, change).content.decode()
    for html in (rolled_back, closed):
        assert ">Rollback</h2>" in html and "Null &lt;refunds&gt;" in html and "12 min" in html
