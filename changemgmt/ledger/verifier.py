#!/usr/bin/env python3
"""Standalone verifier for a changemgmt ledger export. An auditor copies this one file and an export
(JSON Lines) to any machine with Python 3.11+ and runs

    python3 ledger_verifier.py export.jsonl [--checkpoint checkpoint.json [--public-key ledger-keys.pem]]

(the file is changemgmt/ledger/verifier.py in the repository; auditors keep it as ledger_verifier.py).
The chain check needs the standard library only; checking a checkpoint's Ed25519 signature with
--public-key needs the `cryptography` package (pip install cryptography), imported only then. The
auditor holds no secret: the public key is all it takes. A key file may hold several keys (the
well-known key URL serves the current key first, then every retired one), and --public-key may be
repeated: a checkpoint signed before a key rotation verifies with the retired key, and the verifier
names the key that signed it.

Exit status: 0 the chain is intact, 1 it is broken (the first broken entry is named), 2 usage error.

The application imports `canonical_bytes`, `entry_hash`, `checkpoint_message`, `signature_valid`
and `check_chain` from here, so the hash the server writes, the check `manage.py ledger verify`
runs and the check the auditor runs are one implementation.

Canonical form of an entry: the JSON object with exactly the keys
    seq, recorded_at, actor, action, subject, payload, prev_hash
serialized with sorted keys (at every depth), separators (",", ":"), no ASCII escaping, UTF-8.
entry_hash = lowercase hex SHA-256 of that byte string. The first entry has seq 1 and prev_hash
GENESIS_HASH (64 zeros); every other entry's prev_hash is the previous entry's entry_hash, and seq
increases by exactly one.

A checkpoint {seq, entry_hash, signed_at, algorithm, key_id, signature} pins the chain's head at
signing time: signature = hex Ed25519 signature of checkpoint_message(seq, entry_hash) ("algorithm":
"ed25519"); key_id = the first 16 hex digits of SHA-256 over the raw 32-byte public key. Given a
kept checkpoint the verifier also detects a truncated tail (the export ends before the checkpoint's seq) and a chain
recomputed from scratch (the hash at the checkpoint's seq differs from the signed one).
"""
import argparse
import hashlib
import json
import re
import sys
from collections.abc import Iterable, Iterator
from typing import NamedTuple

GENESIS_HASH = "0" * 64
HASHED_FIELDS = ("seq", "recorded_at", "actor", "action", "subject", "payload", "prev_hash")
EXPORTED_FIELDS = (*HASHED_FIELDS, "entry_hash")
TEXT_FIELDS = ("recorded_at", "actor", "action", "subject")
HASH_FORMAT = re.compile(r"[0-9a-f]{64}")

EXIT_INTACT, EXIT_BROKEN, EXIT_USAGE = 0, 1, 2


# The encoder json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False) builds per call, built
# once: the same bytes, without re-creating it for every entry.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_bytes(entry: dict) -> bytes:
    body = {name: entry[name] for name in HASHED_FIELDS}
    return _CANONICAL.encode(body).encode("utf-8")


def entry_hash(entry: dict) -> str:
    return hashlib.sha256(canonical_bytes(entry)).hexdigest()


def checkpoint_message(seq: int, head_hash: str) -> bytes:
    return f"changemgmt-ledger-checkpoint:{seq}:{head_hash}".encode()


SIGNATURE_ALGORITHM = "ed25519"


def key_id_of(raw_public_key: bytes) -> str:
    return hashlib.sha256(raw_public_key).hexdigest()[:16]


def load_public_key(pem: bytes):
    """An Ed25519 public key from PEM (what `manage.py ledger public-key` prints). Needs `cryptography`."""
    try:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
        from cryptography.hazmat.primitives.serialization import load_pem_public_key
    except ImportError as error:
        raise UsageError("checking a signature needs the cryptography package: pip install cryptography") from error
    try:
        key = load_pem_public_key(pem)
    except ValueError as error:
        raise UsageError(f"not a PEM public key: {error}") from error
    if not isinstance(key, Ed25519PublicKey):
        raise UsageError("the public key is not an Ed25519 key")
    return key


PEM_PUBLIC_KEY = re.compile(rb"-----BEGIN PUBLIC KEY-----.+?-----END PUBLIC KEY-----", re.DOTALL)


def load_public_keys(pem: bytes) -> list:
    """Every Ed25519 public key of a PEM bundle, in file order (text between the blocks is ignored)."""
    blocks = PEM_PUBLIC_KEY.findall(pem)
    if not blocks:
        raise UsageError("no PEM public key found (expected -----BEGIN PUBLIC KEY-----)")
    return [load_public_key(block) for block in blocks]


def public_key_id(public_key) -> str:
    from cryptography.hazmat.primitives import serialization

    return key_id_of(public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))


def signature_valid(public_key, checkpoint: dict) -> bool:
    """True when `checkpoint` carries an Ed25519 signature by `public_key` over its seq and hash."""
    from cryptography.exceptions import InvalidSignature

    if checkpoint.get("algorithm") != SIGNATURE_ALGORITHM:
        return False
    try:
        public_key.verify(bytes.fromhex(str(checkpoint.get("signature", ""))),
                          checkpoint_message(checkpoint["seq"], checkpoint["entry_hash"]))
    except (InvalidSignature, ValueError):
        return False
    return True


def signer_of(public_keys, checkpoint: dict) -> str | None:
    """The key_id of the key among `public_keys` whose signature `checkpoint` carries, or None (forged,
    altered, or signed by a key not given). The key the checkpoint names is tried first."""
    named = checkpoint.get("key_id")
    for key in sorted(public_keys, key=lambda candidate: public_key_id(candidate) != named):
        if signature_valid(key, checkpoint):
            return public_key_id(key)
    return None


class Unreadable(NamedTuple):
    """Stands in for an export line that is not a JSON object, so the chain check can name it."""

    reason: str


class Problem(NamedTuple):
    """The first broken entry: where it is (seq, and the export line when checking a file) and why."""

    seq: int | None
    line: int | None
    reason: str

    def __str__(self):
        where = []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.seq is not None:
            where.append(f"seq {self.seq}")
        return f"{', '.join(where) or 'ledger'}: {self.reason}"


class Outcome(NamedTuple):
    entries: int
    head_seq: int
    head_hash: str
    problem: Problem | None

    @property
    def intact(self) -> bool:
        return self.problem is None


def _is_hash(value) -> bool:
    return isinstance(value, str) and HASH_FORMAT.fullmatch(value) is not None


def _shape_problem(entry) -> str | None:
    """Why an entry cannot even be hashed (missing/unknown fields, wrong types), or None."""
    if isinstance(entry, Unreadable):
        return entry.reason
    if not isinstance(entry, dict):
        return "not a JSON object"
    missing = [name for name in EXPORTED_FIELDS if name not in entry]
    if missing:
        return f"missing field(s) {', '.join(missing)}"
    unknown = sorted(set(entry) - set(EXPORTED_FIELDS))
    if unknown:
        return f"unexpected field(s) {', '.join(unknown)} (not covered by the hash)"
    if type(entry["seq"]) is not int:
        return "seq is not an integer"
    for name in TEXT_FIELDS:
        if not isinstance(entry[name], str):
            return f"{name} is not a string"
    for name in ("prev_hash", "entry_hash"):
        if not _is_hash(entry[name]):
            return f"{name} is not 64 lowercase hex digits"
    return None


def _link_problem(entry: dict, expected_seq: int, prev_hash: str) -> str | None:
    seq = entry["seq"]
    if seq > expected_seq:
        missing = f"seq {expected_seq}" if seq == expected_seq + 1 else f"seq {expected_seq}..{seq - 1}"
        return f"expected seq {expected_seq}, found {seq}: {missing} missing here (deleted or moved)"
    if seq < expected_seq:
        return f"expected seq {expected_seq}, found {seq}: out of order, repeated or inserted"
    if entry["prev_hash"] != prev_hash:
        if seq == 1:
            return "prev_hash of the first entry is not the genesis hash"
        return f"prev_hash does not match the entry_hash of seq {seq - 1} (an entry was replaced or inserted)"
    if entry_hash(entry) != entry["entry_hash"]:
        return "entry_hash does not match the entry's content (the entry was edited)"
    return None


def check_chain(entries: Iterable[tuple[int | None, dict]], checkpoints: Iterable[dict] = (), *,
                shape_known: bool = False) -> Outcome:
    """Walk (line, entry) pairs in order and stop at the first broken entry. Memory stays constant in
    the number of entries (one pinned hash per checkpoint). `line` is None for entries from the DB.

    `shape_known`: the caller vouches that every entry is a dict with exactly the exported fields, an
    integer seq and text fields that are strings (rows of the database, whose columns are NOT NULL and
    typed), so the per-entry shape check is skipped. Nothing escapes detection by that: a hash that is
    not 64 lowercase hex digits can equal neither a computed SHA-256 hex digest nor the genesis hash,
    so it still stops the walk (as a mismatch)."""
    pinned: dict[int, set[str]] = {}
    for checkpoint in checkpoints:
        pinned.setdefault(checkpoint["seq"], set()).add(checkpoint["entry_hash"])
    if shape_known:
        return _check_known_shape(entries, pinned)
    count, expected_seq, prev_hash = 0, 1, GENESIS_HASH
    for line, entry in entries:
        seq = entry.get("seq") if isinstance(entry, dict) and type(entry.get("seq")) is int else None
        reason = _shape_problem(entry) or _link_problem(entry, expected_seq, prev_hash)
        if reason is None and pinned.get(seq, {entry["entry_hash"]}) != {entry["entry_hash"]}:
            reason = ("entry_hash differs from the signed checkpoint's hash for this seq: "
                      "the chain up to here was rewritten (recomputed from scratch)")
        if reason:
            return Outcome(count, expected_seq - 1, prev_hash, Problem(seq, line, reason))
        count, expected_seq, prev_hash = count + 1, seq + 1, entry["entry_hash"]
    return _tail_outcome(count, expected_seq, prev_hash, pinned)


def _check_known_shape(entries: Iterable[tuple[int | None, dict]], pinned: dict[int, set[str]]) -> Outcome:
    """check_chain's walk for entries whose shape is known: the same link, hash and checkpoint rules."""
    count, expected_seq, prev_hash = 0, 1, GENESIS_HASH
    encode, sha256 = _CANONICAL.encode, hashlib.sha256
    for line, entry in entries:
        seq, stored = entry["seq"], entry["entry_hash"]
        if seq == expected_seq and entry["prev_hash"] == prev_hash and sha256(encode(
                {name: entry[name] for name in HASHED_FIELDS}).encode("utf-8")).hexdigest() == stored \
                and pinned.get(seq, {stored}) == {stored}:
            count, expected_seq, prev_hash = count + 1, seq + 1, stored
            continue
        reason = _link_problem(entry, expected_seq, prev_hash) or (
            "entry_hash differs from the signed checkpoint's hash for this seq: "
            "the chain up to here was rewritten (recomputed from scratch)")
        return Outcome(count, expected_seq - 1, prev_hash, Problem(seq, line, reason))
    return _tail_outcome(count, expected_seq, prev_hash, pinned)


def _tail_outcome(count: int, expected_seq: int, prev_hash: str, pinned: dict[int, set[str]]) -> Outcome:
    head_seq = expected_seq - 1
    beyond = [seq for seq in pinned if seq > head_seq]
    if beyond:
        covered = max(beyond)
        reason = (f"the ledger ends at seq {head_seq} but a signed checkpoint covers seq {covered}: "
                  f"seq {head_seq + 1}..{covered} missing (tail truncated)")
        return Outcome(count, head_seq, prev_hash, Problem(head_seq + 1, None, reason))
    return Outcome(count, head_seq, prev_hash, None)


def read_export(lines: Iterable[bytes]) -> Iterator[tuple[int, dict | Unreadable]]:
    """(line number, parsed object) for each non-blank line of a JSON Lines export."""
    for number, raw in enumerate(lines, start=1):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            yield number, Unreadable("not valid UTF-8")
            continue
        if not text.strip():
            continue
        try:
            yield number, json.loads(text)
        except ValueError:
            yield number, Unreadable("not valid JSON")


class UsageError(Exception):
    """Bad arguments or an unreadable checkpoint/key: exit status 2, nothing was verified."""


def load_checkpoint(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as handle:
            checkpoint = json.load(handle)
    except (OSError, ValueError) as error:
        raise UsageError(f"cannot read checkpoint {path}: {error}") from error
    if not isinstance(checkpoint, dict) or type(checkpoint.get("seq")) is not int or checkpoint["seq"] < 1 \
            or not _is_hash(checkpoint.get("entry_hash")):
        raise UsageError(f"{path} is not a checkpoint: expected a JSON object with seq (>= 1) and entry_hash")
    return checkpoint


def read_public_keys(path: str) -> list:
    try:
        with open(path, "rb") as handle:
            pem = handle.read()
    except OSError as error:
        raise UsageError(f"cannot read public key {path}: {error}") from error
    try:
        return load_public_keys(pem)
    except UsageError as error:
        raise UsageError(f"{path}: {error}") from error


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Verify a changemgmt ledger export (JSON Lines). Exit 0 intact, 1 broken, 2 usage error.")
    parser.add_argument("export", help="the file written by `manage.py ledger export`")
    parser.add_argument("--checkpoint", help="a checkpoint JSON kept from `manage.py ledger checkpoint`")
    parser.add_argument("--public-key", metavar="PEM", action="append", default=[],
                        help="the ledger's public key(s) (manage.py ledger public-key --all, or the well-known "
                             "key URL: current and retired keys), to check the checkpoint's signature; "
                             "repeatable; needs the cryptography package")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    checkpoints, signer = [], None
    try:
        if args.public_key and not args.checkpoint:
            raise UsageError("--public-key only makes sense with --checkpoint")
        if args.checkpoint:
            checkpoint = load_checkpoint(args.checkpoint)
            if args.public_key:
                if checkpoint.get("algorithm") != SIGNATURE_ALGORITHM:
                    raise UsageError(f"{args.checkpoint} is not an Ed25519 checkpoint "
                                     f"(algorithm {checkpoint.get('algorithm', 'hmac-sha256')!r})")
                public_keys = [key for path in args.public_key for key in read_public_keys(path)]
                signer = signer_of(public_keys, checkpoint)
                if signer is None:
                    named = checkpoint.get("key_id")
                    given = ", ".join(public_key_id(key) for key in public_keys)
                    other = f", signed by key {named}, not {given}" if named and named not in given else ""
                    print(f"BROKEN: checkpoint {args.checkpoint}: signature does not match "
                          f"(altered checkpoint or another key{other})")
                    return EXIT_BROKEN
            checkpoints.append(checkpoint)
        handle = open(args.export, "rb")  # closed by the `with` below, after streaming
    except (UsageError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    with handle:
        outcome = check_chain(read_export(handle), checkpoints)
    if not outcome.intact:
        print(f"BROKEN at {outcome.problem}")
        print(f"({outcome.entries} entries before it are intact)")
        return EXIT_BROKEN
    print(f"OK: {outcome.entries} entries, seq 1..{outcome.head_seq} chained, head {outcome.head_hash}")
    if checkpoints:
        signed = f"signature valid, signed by key {signer}" if args.public_key \
            else "signature NOT checked (no --public-key)"
        print(f"checkpoint seq {checkpoints[0]['seq']} matches ({signed})")
    return EXIT_INTACT


if __name__ == "__main__":
    sys.exit(main())
