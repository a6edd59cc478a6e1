#!/usr/bin/env python3
"""Standalone verifier for a changemgmt ledger export. Standard library only: an auditor copies this
one file and an export (JSON Lines) to any machine with Python 3 and runs

    python3 ledger_verifier.py export.jsonl [--checkpoint checkpoint.json --key-file key.txt]

The application imports `canonical_bytes` and `entry_hash` from here, so the hash the server writes
and the hash the auditor recomputes come from the same twenty lines.

Canonical form of an entry: the JSON object with exactly the keys
    seq, recorded_at, actor, action, subject, payload, prev_hash
serialized with sorted keys, separators (",", ":"), UTF-8, no ASCII escaping.
entry_hash = hex SHA-256 of that byte string. The first entry's prev_hash is 64 zeros; every other
entry's prev_hash is the previous entry's entry_hash, and seq increases by exactly one.
"""
import hashlib
import hmac
import json

GENESIS_HASH = "0" * 64
HASHED_FIELDS = ("seq", "recorded_at", "actor", "action", "subject", "payload", "prev_hash")


def canonical_bytes(entry: dict) -> bytes:
    body = {name: entry[name] for name in HASHED_FIELDS}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def entry_hash(entry: dict) -> str:
    return hashlib.sha256(canonical_bytes(entry)).hexdigest()


def checkpoint_message(seq: int, head_hash: str) -> bytes:
    return f"changemgmt-ledger-checkpoint:{seq}:{head_hash}".encode()


def sign_checkpoint(key: bytes, seq: int, head_hash: str) -> str:
    return hmac.new(key, checkpoint_message(seq, head_hash), hashlib.sha256).hexdigest()
