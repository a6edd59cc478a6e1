"""`POST /api/approvals/grant-selected/`, My approvals' "Grant selected" over the API: each slot goes
through approvals.services.decide on its own (recorded as decided through the API); a refused slot is
named with its reason and nothing is written for it; no slot or no reason does nothing; auditors 403."""
import json

from approvals.choices import DecisionChannel, SlotStatus
from approvals.models import ApprovalSlot
from changemgmt.models import LedgerEntry
from tests.support import factories as f
from tests.support.api import client_for
from tests.support.approvals import change_in_approval

URL = "/api/approvals/grant-selected/"


def pending(change, role):
    return ApprovalSlot.objects.filter(change=change, role=role, status=SlotStatus.PENDING).order_by("id").first()


def post(user, body):
    return client_for(user).post(URL, json.dumps(body), content_type="application/json")


def test_grant_selected_grants_each_allowed_slot_and_names_each_refusal(frozen, requester, peer):
    first, second = change_in_approval(requester, title="One"), change_in_approval(requester, title="Two")
    medium = change_in_approval(requester, risk=f.MEDIUM_RISK, title="Needs a manager")
    not_mine = pending(medium, "manager")
    slots = [pending(first, "peer").pk, not_mine.pk, pending(second, "peer").pk, 99999]
    before = LedgerEntry.objects.filter(subject=f"changes.changerequest:{medium.pk}").count()
    response = post(peer, {"slots": slots, "reason": "Reviewed in the Tuesday sync"})
    assert response.status_code == 200
    body = response.json()
    assert [row["slot"] for row in body["granted"]] == [slots[0], slots[2]]
    assert body["granted"][0]["label"].startswith(first.reference)
    assert [row["slot"] for row in body["refused"]] == [not_mine.pk, 99999]
    assert body["refused"][0]["label"].startswith(f"{medium.reference} Manager") and body["refused"][0]["reason"]
    assert body["refused"][1]["reason"] == "No such approval."
    granted = ApprovalSlot.objects.filter(pk__in=[slots[0], slots[2]])
    assert {(s.status, s.reason, s.channel) for s in granted} == {
        (SlotStatus.GRANTED, "Reviewed in the Tuesday sync", DecisionChannel.API)}
    assert ApprovalSlot.objects.get(pk=not_mine.pk).status == SlotStatus.PENDING
    assert LedgerEntry.objects.filter(subject=f"changes.changerequest:{medium.pk}").count() == before


def test_no_selection_or_no_reason_does_nothing_and_auditors_are_refused(frozen, requester, peer, auditor):
    slot = pending(change_in_approval(requester), "peer")
    before = LedgerEntry.objects.count()
    assert post(peer, {"slots": [slot.pk], "reason": " "}).json() == {
        "reason": ["Give the reason (one reason is recorded on each)."]}
    assert post(peer, {"slots": [], "reason": "ok"}).json() == {"slots": ["Select at least one approval."]}
    assert post(peer, {"slots": [slot.pk]}).status_code == 400
    assert post(auditor, {"slots": [slot.pk], "reason": "ok"}).status_code == 403
    assert LedgerEntry.objects.count() == before and ApprovalSlot.objects.get(pk=slot.pk).status == SlotStatus.PENDING


def test_a_bad_item_is_named_by_its_place_in_the_documented_shape(frozen, requester, peer):
    """DRF nests a list item's errors ({"0": [...]}); the API answers every 400 as lists of strings
    (FIELD_ERRORS), each message saying which item (schemathesis found the nested shape)."""
    before = LedgerEntry.objects.count()
    response = post(peer, {"slots": [True, 5], "reason": 4.97e-49})
    assert response.status_code == 400
    assert response.json() == {"slots": ["[0] A valid integer is required."], "reason": ["Expected text."]}
    assert LedgerEntry.objects.count() == before


def test_the_page_and_the_api_share_the_service_and_each_records_its_channel(frozen, client, requester, peer):
    by_page, by_api = change_in_approval(requester, title="One"), change_in_approval(requester, title="Two")
    client.force_login(peer)
    client.post("/approvals/queue/grant-selected/", {"slots": [pending(by_page, "peer").pk], "reason": "ok"})
    post(peer, {"slots": [pending(by_api, "peer").pk], "reason": "ok"})
    channels = {slot.change_id: slot.channel for slot in ApprovalSlot.objects.filter(status=SlotStatus.GRANTED)}
    assert channels == {by_page.pk: DecisionChannel.QUEUE, by_api.pk: DecisionChannel.API}
