"""The signed deploy attestation: an in-toto Statement about the allowed artefact, in a DSSE envelope
signed with the organisation's Ed25519 key (the ledger checkpoints' key, changemgmt.signing_key), so an
admission controller holding only the public key (/.well-known/changemgmt-ledger-key.pem) can check
that what it admits was allowed by the gate, under which change, approvals and tests.

Formats: in-toto Statement v1 (https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md)
and DSSE v1 (https://github.com/secure-systems-lab/dsse/blob/master/envelope.md). The envelope is
built here from the specification (the pre-authentication encoding is one line); the tests verify it
with securesystemslib, an independent implementation.
"""
import base64
import json

from changemgmt.ledger import format_time, signing_key
from changemgmt.models import PolicyRevision
from changes import gates

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PAYLOAD_TYPE = "application/vnd.in-toto+json"
PREDICATE_TYPE = "https://changemgmt.dev/attestations/deploy-gate/v1"


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE's pre-authentication encoding: what is signed."""
    kind = payload_type.encode()
    return b"DSSEv1 %d %b %d %b" % (len(kind), kind, len(payload), payload)


def _b64(data: bytes) -> str:
    return base64.standard_b64encode(data).decode("ascii")


def _when(moment) -> str | None:
    return format_time(moment) if moment else None


def predicate(decision, change) -> dict:
    """What the gate judged: the change, its risk, who approved and when, the passing test evidence,
    the approved schedule, the policy revision and the ledger entry recording the decision."""
    slots = [slot for slot in change.approval_slots.all() if slot.status == "granted"]
    evidence = gates.latest_evidence(change)
    revision = PolicyRevision.objects.values_list("number", flat=True).first()
    return {
        "decisionId": str(decision.pk),
        "decidedAt": _when(decision.decided_at),
        "change": {"reference": change.reference, "title": change.title, "type": change.change_type,
                   "risk": change.risk_level, "state": decision.change_state},
        "service": decision.service.name,
        "environment": decision.environment.name,
        "pipeline": {"id": decision.pipeline_id, "run": decision.run_id},
        "approvals": [{"role": slot.role, "rule": slot.rule, "policy": slot.policy,
                       "by": slot.decided_by.username if slot.decided_by else None,
                       "at": _when(slot.decided_at)} for slot in sorted(slots, key=lambda s: (s.role, s.ordinal))],
        "tests": [{"type": kind, "result": item.result, "summary": item.summary, "url": item.evidence_url,
                   "by": item.recorded_by.username, "at": _when(item.recorded_at)}
                  for kind, item in sorted(evidence.items())],
        "window": {"plannedStart": _when(change.planned_start), "plannedEnd": _when(change.planned_end)},
        "policyVersion": revision or 0,
        "ledger": {"seq": decision.ledger_entry.seq, "entryHash": decision.ledger_entry.entry_hash},
    }


def statement(decision, change) -> dict:
    algorithm, _, hex_digest = decision.artefact_digest.partition(":")
    return {"_type": STATEMENT_TYPE, "subject": [{"name": decision.service.name, "digest": {algorithm: hex_digest}}],
            "predicateType": PREDICATE_TYPE, "predicate": predicate(decision, change)}


def envelope(decision, change) -> dict:
    """The signed DSSE envelope (JSON form) of the decision's statement."""
    payload = json.dumps(statement(decision, change), sort_keys=True, separators=(",", ":")).encode()
    signature = signing_key.private_key().sign(pae(PAYLOAD_TYPE, payload))
    return {"payloadType": PAYLOAD_TYPE, "payload": _b64(payload),
            "signatures": [{"keyid": signing_key.key_id(), "sig": _b64(signature)}]}
