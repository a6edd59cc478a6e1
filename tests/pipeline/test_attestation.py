"""The deploy attestation of an allow: an in-toto Statement in a DSSE envelope signed with the ledger
key, verified here by securesystemslib (an independent DSSE and Ed25519 implementation) with nothing
but the public key served at /.well-known/changemgmt-ledger-key.pem."""
import base64
import json
from datetime import UTC

import pytest
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from securesystemslib.dsse import Envelope
from securesystemslib.exceptions import VerificationError
from securesystemslib.signer import SSlibKey

from changemgmt.models import LedgerEntry
from tests.pipeline.helpers import DIGEST
from tests.support import factories as f
from tests.support import lifecycle as life


@pytest.fixture
def allowed(frozen, requester, peer, peer2, pipeline):
    change = life.ready(requester, [peer, peer2])
    frozen.move_to(f.DEPLOY_TIME)
    answer = pipeline.ask(change).json()
    assert answer["decision"] == "allow"
    return change, answer


def published_key(client) -> SSlibKey:
    response = client.get("/.well-known/changemgmt-ledger-key.pem")
    return SSlibKey.from_crypto(load_pem_public_key(response.content), keyid=response["X-Key-Id"], scheme="ed25519")


def test_the_attestation_verifies_with_the_published_key_alone(client, allowed):
    _change, answer = allowed
    envelope = Envelope.from_dict(json.loads(json.dumps(answer["attestation"])))
    key = published_key(client)
    assert set(envelope.verify([key], 1)) == {key.keyid}
    assert envelope.payload_type == "application/vnd.in-toto+json"


def test_the_statement_names_the_artefact_change_approvals_tests_window_policy_and_ledger(client, allowed):
    change, answer = allowed
    statement = json.loads(base64.b64decode(answer["attestation"]["payload"]))
    assert statement["_type"] == "https://in-toto.io/Statement/v1"
    assert statement["subject"] == [{"name": "payments-api", "digest": {"sha256": DIGEST.split(":")[1]}}]
    predicate = statement["predicate"]
    assert predicate["change"]["reference"] == change.reference and predicate["change"]["risk"] == "low"
    assert predicate["decisionId"] == answer["decision_id"] and predicate["environment"] == "production"
    assert {approval["by"] for approval in predicate["approvals"]} == {"bob", "pat"}
    assert all(approval["at"] and approval["policy"] for approval in predicate["approvals"])
    assert {test["type"] for test in predicate["tests"]} >= {"unit"} and all(
        test["result"] == "passed" for test in predicate["tests"])
    assert predicate["window"]["plannedStart"].startswith(f.PLANNED_START.astimezone(UTC).strftime("%Y-%m-%dT%H"))
    assert predicate["policyVersion"] >= 0
    entry = LedgerEntry.objects.get(seq=answer["ledger_seq"])
    assert predicate["ledger"] == {"seq": entry.seq, "entryHash": entry.entry_hash}


def test_a_tampered_attestation_does_not_verify(client, allowed):
    _change, answer = allowed
    statement = json.loads(base64.b64decode(answer["attestation"]["payload"]))
    statement["subject"][0]["digest"]["sha256"] = "00" * 32
    forged = {**answer["attestation"], "payload": base64.b64encode(json.dumps(statement).encode()).decode()}
    with pytest.raises(VerificationError):
        Envelope.from_dict(json.loads(json.dumps(forged))).verify([published_key(client)], 1)
