"""The CAB API: the same refusals as the services (403/409 with reasons), votes, decisions,
minutes and action items."""
import pytest

from cab.services.agenda import generate_agenda
from tests.support import cab as support
from tests.support.api import authenticated as client_for


@pytest.fixture
def setup(frozen, board, requester, peer, peer2, manager, security):
    change = support.high_risk_in_approval(requester)
    slot = support.grant_all_but_cab(change, peer, peer2, manager, security)
    meeting = support.make_meeting()
    generate_agenda(meeting_id=meeting.pk)
    return meeting, meeting.items.get(slot=slot), slot


def test_meeting_detail_lists_the_agenda_with_change_links(setup, board):
    meeting, item, _slot = setup
    body = client_for(board["qa"]).get(f"/api/cab/meetings/{meeting.pk}/").json()
    decision_items = [i for i in body["items"] if i["needs_decision"]]
    assert decision_items[0]["id"] == item.pk and decision_items[0]["change_url"] == f"/changes/{item.change_id}/"
    assert client_for(board["qa"]).get("/api/cab/meetings/").json()[0]["id"] == meeting.pk


def test_vote_twice_is_409_and_put_changes_it(setup, board):
    _meeting, item, _slot = setup
    qa = client_for(board["qa"])
    assert qa.post(f"/api/cab/items/{item.pk}/votes/", {"choice": "approve"}, format="json").status_code == 201
    second = qa.post(f"/api/cab/items/{item.pk}/votes/", {"choice": "reject"}, format="json")
    assert second.status_code == 409 and "change your vote" in second.json()["detail"]
    changed = qa.put(f"/api/cab/items/{item.pk}/votes/mine/", {"choice": "reject", "comment": "No"}, format="json")
    assert changed.status_code == 200 and changed.json()["choice"] == "reject"


def test_non_members_and_people_without_roles_are_refused(setup, peer, outsider):
    _meeting, item, _slot = setup
    refused = client_for(peer).post(f"/api/cab/items/{item.pk}/votes/", {"choice": "approve"}, format="json")
    assert refused.status_code == 403 and "Only members" in refused.json()["detail"]
    assert client_for(outsider).get("/api/cab/meetings/").status_code == 403


def test_decision_without_quorum_is_409_with_the_missing_items(setup, board):
    meeting, item, _slot = setup
    chair = client_for(board["chair"])
    assert chair.post(f"/api/cab/meetings/{meeting.pk}/start/").status_code == 200
    chair.post(f"/api/cab/meetings/{meeting.pk}/attendance/", {"present": [board["chair"].pk]}, format="json")
    refused = chair.post(f"/api/cab/items/{item.pk}/decision/", {"outcome": "approve"}, format="json")
    assert refused.status_code == 409 and refused.json()["missing"][0]["code"] == "quorum_seats"


def test_full_meeting_through_the_api(setup, board):
    meeting, item, slot = setup
    chair = client_for(board["chair"])
    chair.post(f"/api/cab/meetings/{meeting.pk}/start/")
    present = [board[k].pk for k in ("chair", "qa", "operations")]
    chair.post(f"/api/cab/meetings/{meeting.pk}/attendance/", {"present": present}, format="json")
    client_for(board["qa"]).post(f"/api/cab/items/{item.pk}/votes/", {"choice": "approve"}, format="json")
    decided = chair.post(f"/api/cab/items/{item.pk}/decision/", {"outcome": "approve", "conditions": "Canary 1%"},
                         format="json")
    assert decided.status_code == 201 and decided.json()["conditions"] == "Canary 1%"
    again = client_for(board["deputy_chair"]).post(f"/api/cab/items/{item.pk}/decision/", {"outcome": "approve"},
                                                   format="json")
    assert again.status_code == 409
    slot.refresh_from_db()
    assert slot.status == "granted"
    action = chair.post("/api/cab/action-items/", {"title": "Watch error rates", "owner": board["qa"].pk,
                                                  "due_on": "2026-11-30", "meeting": meeting.pk}, format="json")
    assert action.status_code == 201
    chair.post(f"/api/cab/meetings/{meeting.pk}/end/")
    assert chair.post(f"/api/cab/meetings/{meeting.pk}/publish/").status_code == 200
    minutes = chair.get(f"/api/cab/meetings/{meeting.pk}/minutes/").json()
    assert minutes["published"] and "Watch error rates" in minutes["markdown"]
    edit = chair.put(f"/api/cab/meetings/{meeting.pk}/minutes/", {"notes": "changed"}, format="json")
    assert edit.status_code == 409 and "published" in edit.json()["detail"]
    done = client_for(board["qa"]).patch(f"/api/cab/action-items/{action.json()['id']}/", {"status": "done"},
                                         format="json")
    assert done.status_code == 200 and done.json()["status"] == "done"


def test_auditor_reads_but_cannot_write(setup, auditor, board):
    meeting, item, _slot = setup
    client = client_for(auditor)
    assert client.get(f"/api/cab/meetings/{meeting.pk}/").status_code == 200
    assert client.post(f"/api/cab/meetings/{meeting.pk}/start/").status_code == 403
    assert client.post(f"/api/cab/items/{item.pk}/votes/", {"choice": "approve"}, format="json").status_code == 403


def test_agenda_edits_through_the_api(setup, board):
    meeting, item, _slot = setup
    chair = client_for(board["chair"])
    added = chair.post(f"/api/cab/meetings/{meeting.pk}/items/", {"title": "Freeze policy"}, format="json")
    assert added.status_code == 201
    order = [added.json()["id"]] + [i.pk for i in meeting.items.exclude(pk=added.json()["id"]).order_by("position")]
    assert chair.post(f"/api/cab/meetings/{meeting.pk}/reorder/", {"items": order}, format="json").status_code == 200
    assert meeting.items.order_by("position").first().pk == added.json()["id"]
    assert chair.delete(f"/api/cab/items/{added.json()['id']}/").status_code == 204
    assert client_for(board["qa"]).delete(f"/api/cab/items/{item.pk}/").status_code == 403
