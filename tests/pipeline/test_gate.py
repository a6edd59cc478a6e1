"""POST /api/pipeline/gate/: allow, wait and deny with every missing item and its policy, Retry-After,
one decision and one ledger entry per decision (not per poll), the digest recorded on allow."""
from datetime import timedelta

from changemgmt.models import LedgerEntry
from changemgmt.people_services import issue_token
from changes import services
from changes.calendar import services as calendar_services
from changes.models import ChangeRequest
from changes.pipeline import services as pipeline_services
from changes.pipeline.models import ChangeArtefact, GateDecision
from tests.pipeline.helpers import DIGEST, OTHER_DIGEST, pipeline_client
from tests.support import factories as f
from tests.support import lifecycle as life


def gate_entries():
    return list(LedgerEntry.objects.filter(action__startswith="pipeline.gate_").order_by("seq"))


def codes(answer) -> dict:
    return {item["code"]: item["blocking"] for item in answer.json()["missing"]}


def test_a_ready_change_inside_its_window_is_allowed_and_its_digest_recorded(frozen, requester, peer, peer2,
                                                                             pipeline):
    change = life.ready(requester, [peer, peer2])
    frozen.move_to(f.DEPLOY_TIME)
    answer = pipeline.ask(change)
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert body["decision"] == "allow" and body["missing"] == [] and "Retry-After" not in answer
    assert body["change"] == change.reference and body["attestation"]["signatures"]
    assert list(ChangeArtefact.objects.values_list("change_id", "digest")) == [(change.pk, DIGEST)]
    [entry] = gate_entries()
    assert entry.action == "pipeline.gate_allow" and entry.seq == body["ledger_seq"]
    assert entry.actor_name.startswith("pipeline:payments deploy") and entry.payload["artefact_digest"] == DIGEST


def test_polling_one_run_returns_the_same_decision_and_writes_one_entry(frozen, requester, peer, peer2, pipeline):
    change = life.ready(requester, [peer, peer2])
    first = pipeline.ask(change).json()
    for _ in range(3):
        assert pipeline.ask(change).json()["decision_id"] == first["decision_id"]
    assert first["decision"] == "wait"
    assert GateDecision.objects.count() == 1 and len(gate_entries()) == 1


def test_before_the_approved_schedule_the_pipeline_waits_until_it_opens(frozen, requester, peer, peer2, pipeline):
    change = life.ready(requester, [peer, peer2])
    answer = pipeline.ask(change)
    assert answer.json()["decision"] == "wait"
    assert codes(answer)["outside_schedule"] == "wait"
    assert int(answer["Retry-After"]) == answer.json()["retry_after"] == 900  # a week ahead: the longest pause
    assert all(item["policy"] for item in answer.json()["missing"])
    frozen.move_to(f.PLANNED_START - timedelta(minutes=35))  # 5 minutes before the 30-minute tolerance opens
    later = pipeline.ask(change)
    assert later.json()["decision_id"] == answer.json()["decision_id"] and later["Retry-After"] == "300"


def test_once_the_approved_schedule_has_passed_the_pipeline_is_denied(frozen, requester, peer, peer2, pipeline):
    change = life.ready(requester, [peer, peer2])
    frozen.move_to(f.PLANNED_END + timedelta(hours=2))
    answer = pipeline.ask(change)
    assert answer.json()["decision"] == "deny" and codes(answer)["outside_schedule"] == "deny"


def test_pending_approvals_make_the_pipeline_wait_and_a_grant_is_a_new_decision(frozen, requester, peer, peer2,
                                                                               pipeline):
    change = life.in_approval(requester)
    waiting = pipeline.ask(change)
    assert waiting.json()["decision"] == "wait" and waiting["Retry-After"] == "60"
    found = codes(waiting)
    assert found["not_approved"] == "wait" and found["test_unit"] == "wait"
    assert any(code.startswith("approval_") for code in found)
    life.grant_all(change, [peer, peer2])
    moved = pipeline.ask(change).json()
    assert moved["decision_id"] != waiting.json()["decision_id"] and "not_tested" in {
        item["code"] for item in moved["missing"]}
    assert len(gate_entries()) == 2


def test_a_hard_freeze_denies(frozen, requester, peer, peer2, admin_user, pipeline):
    change = life.ready(requester, [peer, peer2])
    calendar_services.announce_freeze(actor=admin_user, data={
        "name": "Incident freeze", "reason": "Stabilise payments.", "kind": "hard",
        "starts_at": (f.PLANNED_START - f.LEAD).isoformat(), "ends_at": (f.PLANNED_END + f.LEAD).isoformat()})
    answer = pipeline.ask(change)
    assert answer.json()["decision"] == "deny" and codes(answer)["hard_freeze"] == "deny"
    assert "Retry-After" not in answer and answer.json()["retry_after"] is None


def test_a_service_the_change_does_not_touch_is_denied(frozen, requester, peer, peer2, admin_user, environment):
    change = life.ready(requester, [peer, peer2])
    other = f.make_service("search-api")
    _token, plain = issue_token(user=admin_user, name="search deploy", kind="pipeline", service_ids=[other.pk])
    answer = pipeline_client(plain).ask(change, service="search-api")
    assert answer.json()["decision"] == "deny" and codes(answer)["service_not_on_change"] == "deny"


def test_a_second_digest_is_denied_unless_the_change_allows_several(frozen, requester, peer, peer2, pipeline):
    change = life.ready(requester, [peer, peer2])
    frozen.move_to(f.DEPLOY_TIME)
    assert pipeline.ask(change).json()["decision"] == "allow"
    second = pipeline.ask(change, artefact_digest=OTHER_DIGEST, run_id="101")
    assert second.json()["decision"] == "deny" and codes(second)["digest_mismatch"] == "deny"
    pipeline_services.allow_several_artefacts(change_id=change.pk, actor=requester, reason="Two images.")
    assert pipeline.ask(change, artefact_digest=OTHER_DIGEST, run_id="101").json()["decision"] == "allow"
    assert ChangeArtefact.objects.filter(change=change).count() == 2


def test_a_change_found_by_its_ticket_key(frozen, requester, peer, peer2, pipeline):
    change = life.ready(requester, [peer, peer2])
    assert pipeline.ask(change, change="PAY-42").json()["change"] == change.reference


def test_a_change_found_by_its_external_reference(frozen, requester, peer, peer2, pipeline):
    change = life.ready(requester, [peer, peer2], external_source="jira", external_key="OPS-7")
    assert pipeline.ask(change, change="jira:OPS-7").json()["change"] == change.reference
    assert pipeline.ask(change, change="OPS-7").json()["change"] == change.reference
    other = ChangeRequest.objects.create(title="Twin", requester=requester, external_source="snow",
                                         external_key="OPS-7")
    ambiguous = pipeline.ask(change, change="OPS-7")
    assert ambiguous.status_code == 400 and "jira:OPS-7" in ambiguous.json()["change"][0]
    assert pipeline.ask(other, change="snow:OPS-7").json()["change"] == other.reference
    unknown = pipeline.ask(change, change="jira:OPS-8")
    assert unknown.status_code == 400 and unknown.json()["decision"] == "deny"


def test_a_cancelled_change_answers_409_deny_and_writes_nothing(frozen, requester, pipeline):
    change = life.submitted(requester)
    services.run_transition(change_id=change.pk, name="cancel", actor=requester, data={"reason": "Not needed."})
    before = LedgerEntry.objects.count()
    answer = pipeline.ask(change)
    assert answer.status_code == 409
    assert answer.json()["decision"] == "deny" and answer.json()["missing"][0]["code"] == "wrong_state"
    assert LedgerEntry.objects.count() == before and not GateDecision.objects.exists()


def test_bad_input_is_a_400_naming_the_field_and_rule_with_nothing_written(frozen, requester, pipeline):
    change = life.filed(requester)
    before = LedgerEntry.objects.count()
    cases = {"artefact_digest": {"artefact_digest": "sha256:XYZ"}, "service": {"service": "nope"},
             "environment": {"environment": "moon"}, "run_id": {"run_id": ""},
             "colour": {"colour": "blue"}, "change": {"change": "CHG-999999"}}
    for field, override in cases.items():
        answer = pipeline.ask(change, **override)
        assert answer.status_code == 400, (field, answer.json())
        assert answer.json()["decision"] == "deny" and field in answer.json()
    assert "sha256:<64 lowercase hex digits>" in pipeline.ask(change, artefact_digest="md5:1").json()[
        "artefact_digest"][0]
    assert LedgerEntry.objects.count() == before and not GateDecision.objects.exists()


def test_a_service_outside_the_tokens_scope_is_refused(frozen, requester, pipeline):
    change = life.filed(requester)
    f.make_service("search-api")
    answer = pipeline.ask(change, service="search-api")
    assert answer.status_code == 403 and answer.json()["decision"] == "deny"
    assert not GateDecision.objects.exists()


def test_any_error_denies(frozen, requester, pipeline, monkeypatch):
    change = life.filed(requester)

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("changes.pipeline.evaluation.evaluate", broken)
    answer = pipeline.ask(change)
    assert answer.status_code == 500 and answer.json()["decision"] == "deny"
    assert not GateDecision.objects.exists()
    assert ChangeRequest.objects.get(pk=change.pk).state == "draft"

