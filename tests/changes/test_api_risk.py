"""The risk scorecard and test evidence over the API."""
import pytest

from tests.support import factories as f
from tests.support.api import assert_nothing_written, client_for, post_json, rows
from tests.support.lifecycle import filed, in_testing, submitted


def risk_url(change) -> str:
    return f"/api/changes/{change.pk}/risk/"


def test_author_scores_and_sees_the_band(frozen, requester):
    change = submitted(requester)
    response = client_for(requester).put(risk_url(change), f.HIGH_RISK, format="json")
    assert response.status_code == 200, response.content
    risk = response.json()["risk"]
    assert (risk["total"], risk["computed"], risk["final"]) == (12, "high", "high")


def test_post_scores_too(frozen, requester):
    change = submitted(requester)
    response = post_json(client_for(requester), risk_url(change), f.LOW_RISK)
    assert response.status_code == 200 and response.json()["risk"]["final"] == "low"


def test_a_reviewer_raises_the_level_with_a_justification(frozen, requester, peer):
    change = submitted(requester)
    body = {**f.LOW_RISK, "override": "high", "override_reason": "Touches the refunds path at month end."}
    risk = client_for(peer).put(risk_url(change), body, format="json").json()["risk"]
    assert (risk["computed"], risk["override"], risk["final"], risk["override_by"]) == ("low", "high", "high", "bob")


def test_raising_without_a_justification_is_400_naming_it(frozen, requester, peer):
    change = submitted(requester)
    before = rows()
    response = client_for(peer).put(risk_url(change), {**f.LOW_RISK, "override": "high"}, format="json")
    assert response.status_code == 400 and "override_reason" in response.json()
    assert_nothing_written(before)


def test_the_level_may_not_be_lowered(frozen, requester, peer):
    change = submitted(requester)
    body = {**f.HIGH_RISK, "override": "low", "override_reason": "Feels safe"}
    response = client_for(peer).put(risk_url(change), body, format="json")
    assert response.status_code == 400 and "override" in response.json()


@pytest.mark.parametrize("value", [0, 4, "x", None, [1], {"a": 1}])
def test_out_of_range_scores_are_400_naming_the_factor(frozen, requester, value):
    change = submitted(requester)
    before = rows()
    response = client_for(requester).put(risk_url(change), {**f.LOW_RISK, "systems": value}, format="json")
    assert response.status_code == 400, response.content
    assert list(response.json()) == ["systems"]
    assert f.reload(change).risk_systems is None
    assert_nothing_written(before)


def test_someone_unrelated_without_reviewer_role_cannot_score(frozen, requester, cab_member, auditor):
    change = submitted(requester)
    before = rows()
    assert client_for(cab_member).put(risk_url(change), f.LOW_RISK, format="json").status_code == 403
    assert client_for(auditor).put(risk_url(change), f.LOW_RISK, format="json").status_code == 403
    assert_nothing_written(before)


def test_scoring_a_missing_change_is_404(requester):
    assert client_for(requester).put("/api/changes/999999/risk/", f.LOW_RISK, format="json").status_code == 404


def test_evidence_is_recorded_while_testing_only(frozen, requester, peer, peer2):
    evidence = {"test_type": "unit", "result": "passed", "summary": "412 passed"}
    draft = filed(requester)
    assert post_json(client_for(requester), f"/api/changes/{draft.pk}/test-evidence/", evidence).status_code == 403
    change = in_testing(requester, [peer, peer2])
    response = post_json(client_for(requester), f"/api/changes/{change.pk}/test-evidence/", evidence)
    assert response.status_code == 201
    assert response.json()["test_type"] == "unit"
    detail = client_for(requester).get(f"/api/changes/{change.pk}/").json()
    assert [e["summary"] for e in detail["test_evidence"]] == ["412 passed"]


def test_evidence_with_a_bad_type_is_400_naming_it(frozen, requester, peer, peer2):
    change = in_testing(requester, [peer, peer2])
    before = rows()
    response = post_json(client_for(requester), f"/api/changes/{change.pk}/test-evidence/",
                         {"test_type": "vibes", "result": "passed", "summary": "felt fine"})
    assert response.status_code == 400 and list(response.json()) == ["test_type"]
    assert_nothing_written(before)
