"""Transitions over the API: the listing with what each gate misses, and each transition's endpoint
answering 200, 409 with every missing item, 400 naming fields, or 403."""
from changes.choices import State
from tests.support import factories as f
from tests.support.api import assert_nothing_written, client_for, post_json, rows, token_client
from tests.support.lifecycle import ALL_CHECKLIST, ALL_CHECKS, ALL_REVIEW, filed, in_approval, in_testing


def url(change, name=""):
    return f"/api/changes/{change.pk}/transitions/" + (f"{name}/" if name else "")


def test_listing_names_every_transition_from_the_current_state_with_its_missing_items(frozen, requester, peer):
    change = filed(requester, description="", rollback_plan="")
    listing = {row["name"]: row for row in client_for(requester).get(url(change)).json()}
    assert set(listing) == {"submit", "cancel"}
    submit = listing["submit"]
    assert (submit["permitted"], submit["allowed"], submit["label"]) == (True, False, "Submit for assessment")
    assert {m["code"] for m in submit["missing"]} == {"field_description", "field_rollback_plan"}
    assert all(m["policy"].startswith("POLICY §4") for m in submit["missing"])
    # The same change seen by someone who may not submit it.
    other = {row["name"]: row for row in client_for(peer).get(url(change)).json()}
    assert (other["submit"]["permitted"], other["submit"]["allowed"]) == (False, False)


def test_a_refused_transition_answers_409_with_every_missing_item_and_writes_nothing(frozen, requester):
    change = filed(requester, description="", test_plan="", services=[])
    before = rows()
    response = post_json(client_for(requester), url(change, "submit"), {})
    assert response.status_code == 409
    body = response.json()
    assert body["transition"] == "submit"
    assert {m["code"] for m in body["missing"]} >= {"field_description", "field_test_plan", "field_services"}
    assert all(set(m) == {"code", "message", "policy"} for m in body["missing"])
    assert f.reload(change).state == State.DRAFT
    assert_nothing_written(before)


def test_a_transition_from_the_wrong_state_is_409(frozen, requester):
    change = filed(requester)
    response = post_json(client_for(requester), url(change, "verify"), {"verification_checks": ALL_CHECKS})
    assert response.status_code == 409 and "is not possible while the change is at" in response.json()["detail"]


def test_someone_without_the_right_gets_403(frozen, requester, peer, auditor):
    change = filed(requester)
    before = rows()
    assert post_json(client_for(peer), url(change, "submit"), {}).status_code == 403
    assert post_json(client_for(auditor), url(change, "submit"), {}).status_code == 403
    assert_nothing_written(before)


def test_input_errors_are_400_naming_the_field(frozen, requester, peer, peer2):
    change = in_testing(requester, [peer, peer2])
    before = rows()
    response = post_json(client_for(requester), url(change, "cancel"), {"reason": "x", "colour": "red"})
    assert response.status_code == 400 and response.json() == {"colour": ["Unknown field."]}
    response = post_json(client_for(requester), url(change, "cancel"), {"reason": {"nested": "object"}})
    assert response.status_code == 400 and "reason" in response.json()
    assert_nothing_written(before)


def test_unknown_transition_is_404(frozen, requester):
    change = filed(requester)
    assert post_json(client_for(requester), url(change, "teleport"), {}).status_code == 404


def test_missing_change_is_404(requester):
    assert post_json(client_for(requester), "/api/changes/999999/transitions/submit/", {}).status_code == 404


def test_a_rest_client_carries_a_change_from_request_to_close(frozen, requester, peer, peer2):
    """Everything over the API with bearer tokens: file, submit, score, assess, two peers approve,
    evidence, test, deploy, verify, close; each step is in the change's history."""
    api = token_client(requester)
    created = post_json(api, "/api/changes/", f.complete_fields())
    assert created.status_code == 201, created.content
    change_id = created.json()["id"]

    def step(name, body=None, expect=200):
        response = post_json(api, f"/api/changes/{change_id}/transitions/{name}/", body or {})
        assert response.status_code == expect, response.content
        return response.json()

    assert step("submit")["state"] == State.ASSESSMENT
    scored = api.put(f"/api/changes/{change_id}/risk/", f.LOW_RISK, format="json")
    assert scored.status_code == 200 and scored.json()["risk"]["final"] == "low"
    assert step("assess")["state"] == State.APPROVAL
    slots = api.get(f"/api/changes/{change_id}/approvals/").json()
    assert [s["role"] for s in slots] == ["peer", "peer"]
    for slot, approver in zip(slots, [peer, peer2], strict=True):
        decided = post_json(token_client(approver), f"/api/approvals/{slot['id']}/decide/",
                            {"verdict": "grant", "reason": "Looks right"})
        assert decided.status_code == 200 and decided.json()["status"] == "granted"
    assert api.get(f"/api/changes/{change_id}/").json()["state"] == State.TESTING
    assert step("test", expect=409)["missing"][0]["code"] == "test_unit"
    evidence = post_json(api, f"/api/changes/{change_id}/test-evidence/",
                         {"test_type": "unit", "result": "passed", "summary": "412 passed"})
    assert evidence.status_code == 201 and evidence.json()["recorded_by"] == "alice"
    assert step("test")["state"] == State.READY
    frozen.move_to(f.DEPLOY_TIME)
    refused = step("deploy", {"predeploy_checklist": ALL_CHECKLIST[:-1]}, expect=409)
    assert {m["code"] for m in refused["missing"]} == {"checklist_backup_verified", "deployment_method"}
    deployed = step("deploy", {"predeploy_checklist": ALL_CHECKLIST, "deployment_method": "canary"})
    assert (deployed["state"], deployed["deployment_method"]) == (State.DEPLOYED, "canary")
    frozen.shift(31 * 60)
    assert step("verify", {"verification_checks": ALL_CHECKS})["state"] == State.VERIFIED
    closed = step("close", {"outcome": "successful", "review_answers": ALL_REVIEW, "lessons_learned": "None."})
    assert (closed["state"], closed["outcome"]) == (State.CLOSED, "successful")
    actions = [e["action"] for e in api.get(f"/api/changes/{change_id}/history/").json()]
    assert actions[0] == "change.created" and actions[-1] == "change.close"
    assert {"change.submit", "change.risk_scored", "change.assess", "approval.granted", "change.test_evidence",
            "change.deploy", "change.verify"} <= set(actions)


def test_reject_needs_a_reason_and_rejects_the_change(frozen, requester, peer):
    change = in_approval(requester)
    api = client_for(peer)
    assert post_json(api, url(change, "reject"), {"reason": "  "}).status_code == 409
    response = post_json(api, url(change, "reject"), {"reason": "Wrong window"})
    assert response.status_code == 200 and response.json()["state"] == State.REJECTED
    assert response.json()["closing_reason"] == "Wrong window"
