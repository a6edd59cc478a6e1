"""POST /api/pipeline/deployments/: stages in the policy's order, health judged against the budgets
(continue, hold, automatic roll back), the first stage deploying the change, 100 % opening the verify
step with its monitoring period, one ledger entry per report, bad input refused with nothing written."""
import json
from datetime import timedelta

import pytest

from changemgmt.models import LedgerEntry, Notification, NotificationKind
from changemgmt.people_services import issue_token
from changes import gates, invariants
from changes.choices import State
from changes.models import ChangeRequest, RollbackRecord
from changes.pipeline import health
from changes.pipeline.models import DeploymentReport
from tests.pipeline.helpers import HEALTHY, pipeline_client, report
from tests.support import factories as f
from tests.support import lifecycle as life


def report_entries():
    return LedgerEntry.objects.filter(action="pipeline.deployment_report").count()


@pytest.fixture
def allowed(frozen, requester, peer, peer2, pipeline):
    """A ready change the gate allowed, at its deploy time."""
    change = life.ready(requester, [peer, peer2])
    frozen.move_to(f.DEPLOY_TIME)
    assert pipeline.ask(change).json()["decision"] == "allow"
    return change


def test_a_healthy_rollout_deploys_then_opens_the_verify_step_at_100(frozen, allowed, pipeline):
    answers = [report(pipeline, allowed, stage).json() for stage in (1, 5, 20)]
    assert [a["next_stage"] for a in answers] == [5, 20, 100] and {a["action"] for a in answers} == {"continue"}
    change = ChangeRequest.objects.get(pk=allowed.pk)
    assert change.state == State.DEPLOYED and change.deployment_method == "canary"
    assert all(change.predeploy_checklist.values())
    assert "rollout_incomplete" in {m.code for m in gates.verify_gate(change, {}, change.deployed_at)}
    frozen.shift(timedelta(minutes=10))
    last = report(pipeline, allowed, 100).json()
    assert last["action"] == "continue" and last["next_stage"] is None
    codes = {m.code for m in gates.verify_gate(change, {}, f.DEPLOY_TIME + timedelta(minutes=11))}
    assert "rollout_incomplete" not in codes and "monitoring_period" in codes  # counted from 100 %
    assert report_entries() == 4 and DeploymentReport.objects.count() == 4
    assert not invariants.check_all([allowed.pk])


def test_the_change_page_shows_its_rollout(allowed, pipeline, client, requester):
    report(pipeline, allowed, 1)
    report(pipeline, allowed, 5, error_rate_percent=1.5)
    client.force_login(requester)
    page = client.get(f"/changes/{allowed.pk}/").content.decode()
    assert 'id="rollout"' in page and "1 %" in page and "Hold" in page and "1.5 %" in page


def test_stages_only_in_order(allowed, pipeline):
    skipped = report(pipeline, allowed, 5)
    assert skipped.status_code == 400 and "stage" in skipped.json()
    unknown = report(pipeline, allowed, 7)
    assert unknown.status_code == 400 and "sequence" in unknown.json()["stage"][0]
    assert report_entries() == 0 and ChangeRequest.objects.get(pk=allowed.pk).state == State.READY


def test_bad_input_names_the_field_and_writes_nothing(allowed, pipeline):
    answer = report(pipeline, allowed, 1, artefact_digest="sha256:XYZ", service="nope", error_rate_percent="x")
    assert answer.status_code == 400
    assert {"artefact_digest", "error_rate_percent"} <= set(answer.json())
    assert report(pipeline, allowed, 1, environment="mars").status_code == 400
    assert report(pipeline, allowed, 1, service="unknown-svc").status_code == 400
    assert report_entries() == 0 and not DeploymentReport.objects.exists()


def test_a_warning_holds_and_the_same_stage_is_reported_again(allowed, pipeline):
    report(pipeline, allowed, 1)
    held = report(pipeline, allowed, 5, error_rate_percent=1.8).json()
    assert held["action"] == "hold" and held["next_stage"] is None
    assert [r["code"] for r in held["reasons"]] == ["error_rate_percent_warning"]
    assert report(pipeline, allowed, 5, alert_count=1).json()["reasons"][0]["code"] == "alert_count_warning"
    assert report(pipeline, allowed, 20).status_code == 400
    assert report(pipeline, allowed, 5).json() == {**held, "action": "continue", "next_stage": 20, "reasons": [],
                                                  "ledger_seq": held["ledger_seq"] + 2}


def test_critical_health_rolls_the_change_back_automatically(frozen, allowed, pipeline):
    report(pipeline, allowed, 1)
    answer = report(pipeline, allowed, 5, p95_latency_ms=6200)
    assert answer.status_code == 200 and answer.json()["action"] == "roll_back"
    change = ChangeRequest.objects.get(pk=allowed.pk)
    assert change.state == State.ROLLED_BACK
    rollback = RollbackRecord.objects.get(change=change)
    assert rollback.automatic and rollback.decided_at == f.DEPLOY_TIME and "5 %" in rollback.reason
    assert "6200 ms" in rollback.impact and rollback.deployment_report.stage == 5
    assert rollback.deployment_report.p95_latency_ms == 6200
    assert Notification.objects.filter(user=change.owner or change.requester,
                                       kind=NotificationKind.AUTOMATIC_ROLLBACK).count() == 1
    assert LedgerEntry.objects.filter(action="change.roll_back").count() == 1 and report_entries() == 2
    assert report(pipeline, allowed, 5).status_code == 409  # nothing left to roll out
    assert not invariants.check_all([allowed.pk])


def test_a_digest_the_gate_did_not_allow_under_this_change_is_refused(frozen, requester, peer, peer2, pipeline):
    change, other = life.ready(requester, [peer, peer2]), life.ready(requester, [peer, peer2])
    frozen.move_to(f.DEPLOY_TIME)
    assert pipeline.ask(change).json()["decision"] == "allow"
    answer = report(pipeline, other, 1)
    assert answer.status_code == 409 and report_entries() == 0
    assert ChangeRequest.objects.get(pk=other.pk).state == State.READY


def test_a_token_scoped_to_other_services_is_refused(allowed, admin_user):
    _token, plain = issue_token(user=admin_user, name="other", kind="pipeline",
                                service_ids=[f.make_service(name="search").pk])
    answer = report(pipeline_client(plain), allowed, 1)
    assert answer.status_code == 403 and report_entries() == 0


def test_a_personal_token_or_session_cannot_report(allowed, admin_client):
    assert report(admin_client, allowed, 1).status_code == 403


def test_the_rollout_is_in_the_schema_with_examples(admin_client):
    schema = admin_client.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/pipeline/deployments/"]["post"]
    assert operation["operationId"] == "pipeline_deployment_report"
    assert "examples" in json.dumps(operation["requestBody"]) and "409" in operation["responses"]



@pytest.mark.django_db
def test_the_default_budgets_are_the_seed_documents_with_alerts_ours():
    judge = health.judge
    assert judge({**HEALTHY, "error_rate_percent": 1})[0] == "continue"
    assert judge({**HEALTHY, "error_rate_percent": 5})[0] == "hold"
    assert judge({**HEALTHY, "error_rate_percent": 5.1})[0] == "roll_back"
    assert judge({**HEALTHY, "p95_latency_ms": 2001})[0] == "hold"
    assert judge({**HEALTHY, "p95_latency_ms": 5001})[0] == "roll_back"
    assert judge({**HEALTHY, "alert_count": 5})[0] == "hold"
    assert judge({**HEALTHY, "alert_count": 6})[0] == "roll_back"
