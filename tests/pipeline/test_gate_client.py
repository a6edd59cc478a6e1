"""clients/changemgmt-gate end to end: the standard-library command a pipeline runs, against a running
server (pytest-django's live_server, in this process, so the frozen clock holds there too)."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from changes import services
from changes.pipeline.models import GateDecision
from tests.pipeline.helpers import DIGEST
from tests.support import factories as f
from tests.support import lifecycle as life

CLIENT = Path(__file__).resolve().parents[2] / "clients" / "changemgmt-gate"


@pytest.fixture
def run_client(transactional_db, live_server, pipeline_token, environment):
    # transactional_db first: the test database exists before the live server (in this process) starts
    def run(change, *extra):
        env = {**os.environ, "CHANGEMGMT_TOKEN": pipeline_token[1]}
        return subprocess.run(
            [sys.executable, str(CLIENT), "--url", live_server.url, "--change", change.reference,
             "--service", "payments-api", "--environment", "production", "--digest", DIGEST,
             "--pipeline-id", "payments/deploy.yml", "--run-id", "7", *extra],
            capture_output=True, text=True, timeout=60, env=env)
    return run


def test_allow_exits_0_and_writes_the_attestation(frozen, requester, peer, peer2, run_client, tmp_path):
    change = life.ready(requester, [peer, peer2])
    frozen.move_to(f.DEPLOY_TIME)
    out = tmp_path / "attestation.json"
    result = run_client(change, "--attestation-out", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "changemgmt gate: allow" in result.stdout
    assert json.loads(out.read_text())["payloadType"] == "application/vnd.in-toto+json"


def test_a_refused_change_exits_1_with_its_reasons(frozen, requester, run_client):
    change = life.submitted(requester)
    services.run_transition(change_id=change.pk, name="cancel", actor=requester, data={"reason": "Not needed."})
    result = run_client(change)
    assert result.returncode == 1
    assert "deny (HTTP 409" in result.stdout and "can no longer deploy. (POLICY §4)" in result.stdout


def test_waiting_past_the_timeout_exits_2_after_polling_one_decision(frozen, requester, peer, peer2, run_client):
    change = life.ready(requester, [peer, peer2])
    result = run_client(change, "--interval", "0.3", "--timeout", "1.5")
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stdout.count("changemgmt gate: wait") >= 2
    assert "[wait] The approved schedule is" in result.stdout and "giving up" in result.stdout
    assert GateDecision.objects.count() == 1


def test_bad_usage_exits_64_without_asking(frozen, requester, transactional_db, live_server):
    env = {key: value for key, value in os.environ.items() if key != "CHANGEMGMT_TOKEN"}
    result = subprocess.run([sys.executable, str(CLIENT), "--url", live_server.url, "--change", "CHG-000001",
                             "--service", "s", "--environment", "e", "--digest", "d", "--pipeline-id", "p",
                             "--run-id", "r"], capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 64 and "CHANGEMGMT_TOKEN" in result.stderr
