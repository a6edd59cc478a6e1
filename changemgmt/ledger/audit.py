"""Auditing the ledger stored in the database: verify the chain, export it, sign checkpoints.

The chain check itself lives in changemgmt.ledger.verifier (standard library only) so the server and
an auditor's offline run apply the very same rules; this module only feeds it rows from the
database, in seq order and in fixed-size batches, so memory stays flat however long the ledger is.
Checkpoints are signed with the Ed25519 key of changemgmt.ledger.signing_key; every stored Ed25519
checkpoint must carry the signature of that key or of a key retired since (the verifier names which).
HMAC rows from before Ed25519 are kept but not checked (their secret is no longer held) and pin nothing.
"""
import json
from collections.abc import Iterator
from typing import TextIO

from django.db import connection, transaction
from django.utils import timezone

from changemgmt.ledger import signing_key
from changemgmt.ledger.models import LedgerCheckpoint, LedgerEntry
from changemgmt.ledger.services import format_time
from changemgmt.ledger.verifier import (
    EXPORTED_FIELDS,
    SIGNATURE_ALGORITHM,
    Outcome,
    Problem,
    check_chain,
    checkpoint_message,
    signer_of,
)

BATCH_SIZE = 5000
_COLUMNS = ("seq", "recorded_at", "actor_name", "action", "subject", "payload", "prev_hash", "entry_hash")


class LedgerEmpty(Exception):
    """There is no head to checkpoint yet."""


class LedgerBroken(Exception):
    """The chain failed verification, so its head must not be signed."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


# On PostgreSQL the time is formatted by the database exactly as format_time does (UTC, six fractional
# digits, "Z") and the payload comes as text for json.loads: no datetime is built and formatted per row.
_PG_SELECT = ("SELECT seq, to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
              "actor_name, action, subject, payload::text, prev_hash, entry_hash FROM changemgmt_ledgerentry")


def _pg_entries(batch_size: int) -> Iterator[dict]:
    loads, after = json.loads, None
    with connection.cursor() as cursor:
        while True:
            if after is None:
                cursor.execute(f"{_PG_SELECT} ORDER BY seq LIMIT %s", [batch_size])
            else:
                cursor.execute(f"{_PG_SELECT} WHERE seq > %s ORDER BY seq LIMIT %s", [after, batch_size])
            batch = cursor.fetchall()
            for seq, recorded_at, actor, action, subject, payload, prev_hash, hash_ in batch:
                yield {"seq": seq, "recorded_at": recorded_at, "actor": actor, "action": action,
                       "subject": subject, "payload": loads(payload), "prev_hash": prev_hash, "entry_hash": hash_}
            if len(batch) < batch_size:
                return
            after = batch[-1][0]


def iter_entries(batch_size: int = BATCH_SIZE) -> Iterator[dict]:
    """Every entry as the exported dict (hashed fields + entry_hash), in seq order. Keyset paging on
    the unique seq index: each batch is one indexed range query, never an OFFSET scan."""
    if connection.vendor == "postgresql":
        yield from _pg_entries(batch_size)
        return
    after = None
    while True:
        rows = LedgerEntry.objects.order_by("seq").values_list(*_COLUMNS)
        if after is not None:
            rows = rows.filter(seq__gt=after)
        batch = list(rows[:batch_size])
        for seq, recorded_at, actor, action, subject, payload, prev_hash, hash_ in batch:
            yield {"seq": seq, "recorded_at": format_time(recorded_at), "actor": actor, "action": action,
                   "subject": subject, "payload": payload, "prev_hash": prev_hash, "entry_hash": hash_}
        if len(batch) < batch_size:
            return
        after = batch[-1][0]


def checkpoint_document(checkpoint: LedgerCheckpoint) -> dict:
    """What the auditor keeps: exactly what the standalone verifier's --checkpoint reads."""
    return {"seq": checkpoint.seq, "entry_hash": checkpoint.entry_hash,
            "signed_at": format_time(checkpoint.signed_at), "algorithm": checkpoint.algorithm,
            "key_id": checkpoint.key_id, "signature": checkpoint.signature}


def stored_checkpoints() -> list[dict]:
    """The stored Ed25519 checkpoints, the ones `verify_database` checks (legacy HMAC rows are left out)."""
    rows = LedgerCheckpoint.objects.filter(algorithm=SIGNATURE_ALGORITHM)
    return [checkpoint_document(cp) for cp in rows.order_by("seq", "pk")]


def signers(checkpoints: list[dict]) -> list[tuple[dict, str | None]]:
    """Each checkpoint with the id of the key that signed it (current or retired), or None."""
    keys = signing_key.verification_keys()
    return [(checkpoint, signer_of(keys, checkpoint)) for checkpoint in checkpoints]


def verify_database(*, kept: list[dict] = (), batch_size: int = BATCH_SIZE) -> Outcome:
    """Check the signature of every stored Ed25519 checkpoint (and of any `kept` ones an auditor
    supplies) with the current key's public half or a retired key's, then walk the chain against all
    of them: a forged checkpoint, an edited/deleted/reordered/inserted entry, a truncated tail or a
    recomputed chain each stop the walk at the first broken point."""
    checkpoints = stored_checkpoints() + list(kept)
    for checkpoint, signer in signers(checkpoints):
        if signer is None:
            reason = (f"checkpoint for seq {checkpoint['seq']} signed at {checkpoint.get('signed_at')} has an "
                      "invalid signature (altered checkpoint, or signed neither with LEDGER_SIGNING_KEY_FILE nor "
                      "with a key in LEDGER_RETIRED_PUBLIC_KEYS_FILE)")
            return Outcome(0, 0, "", Problem(checkpoint["seq"], None, reason))
    # PostgreSQL rows have the exported shape (typed NOT NULL columns): only links and hashes are checked.
    # SQLite stores any type in any column, so there the shape is still checked.
    return check_chain(((None, entry) for entry in iter_entries(batch_size)), checkpoints,
                       shape_known=connection.vendor == "postgresql")


def write_export(stream: TextIO, *, batch_size: int = BATCH_SIZE) -> int:
    """Write one JSON object per line (EXPORTED_FIELDS, in that order); return the entry count."""
    count = 0
    for entry in iter_entries(batch_size):
        stream.write(json.dumps({name: entry[name] for name in EXPORTED_FIELDS}, ensure_ascii=False,
                                separators=(",", ":")) + "\n")
        count += 1
    return count


def create_checkpoint(*, batch_size: int = BATCH_SIZE) -> LedgerCheckpoint:
    """Verify the chain first and sign the head that was verified: signing a tampered head would hand
    the auditor a checkpoint that vouches for the tampering."""
    outcome = verify_database(batch_size=batch_size)
    if not outcome.intact:
        raise LedgerBroken(outcome.problem)
    if outcome.entries == 0:
        raise LedgerEmpty("the ledger has no entries yet; nothing to checkpoint")
    with transaction.atomic():
        return LedgerCheckpoint.objects.create(
            seq=outcome.head_seq,
            entry_hash=outcome.head_hash,
            signed_at=timezone.now(),
            algorithm=SIGNATURE_ALGORITHM,
            key_id=signing_key.key_id(),
            signature=signing_key.sign(checkpoint_message(outcome.head_seq, outcome.head_hash)),
        )
