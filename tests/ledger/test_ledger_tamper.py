"""Tampering is detected, and the first broken entry named, both in an export (the standalone
verifier's check) and in the database (`manage.py ledger verify`): edit, delete, swap, insert,
truncate the tail and recompute the whole chain (the last two need a kept checkpoint)."""
import io
import json
from contextlib import contextmanager
from datetime import datetime

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction

from changemgmt import ledger
from changemgmt.ledger import audit as ledger_audit
from changemgmt.ledger import guard as ledger_guard
from changemgmt.ledger.verifier import check_chain, entry_hash, read_export
from changemgmt.models import LedgerCheckpoint, LedgerEntry

SIZE = 10


@pytest.fixture
def chain(db):
    for i in range(1, SIZE + 1):
        with transaction.atomic():
            ledger.append(actor=None, action="payment.approved", subject=f"payment:{i}", payload={"amount": i * 10})


@pytest.fixture
def checkpoint(chain):
    return ledger_audit.checkpoint_document(ledger_audit.create_checkpoint())


def _export(tmp_path, mutate=None):
    """The current export, optionally tampered with by `mutate(list_of_entries)`; returns the path."""
    stream = io.StringIO()
    ledger_audit.write_export(stream)
    entries = [json.loads(line) for line in stream.getvalue().splitlines()]
    if mutate:
        mutate(entries)
    path = tmp_path / "export.jsonl"
    path.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entries), encoding="utf-8")
    return path


def _check_file(path, checkpoints=()):
    with open(path, "rb") as handle:
        return check_chain(read_export(handle), checkpoints)


def _rehash_from(entries, index):
    """What a forger with write access does to hide an edit: recompute every hash from `index` on."""
    for position in range(index, len(entries)):
        if position:
            entries[position]["prev_hash"] = entries[position - 1]["entry_hash"]
        entries[position]["entry_hash"] = entry_hash(entries[position])


def _forged(entries, seq):
    forged = {"seq": seq, "recorded_at": entries[seq - 2]["recorded_at"], "actor": "system",
              "action": "payment.approved", "subject": "payment:forged", "payload": {"amount": 1_000_000},
              "prev_hash": entries[seq - 2]["entry_hash"]}
    return {**forged, "entry_hash": entry_hash(forged)}


# --- the export, as the auditor's standalone verifier sees it --------------------------------------

def test_intact_export_verifies(chain, tmp_path):
    outcome = _check_file(_export(tmp_path))

    assert outcome.intact and outcome.entries == SIZE and outcome.head_seq == SIZE


def test_edited_payload_in_export_is_named(chain, tmp_path):
    def edit(entries):
        entries[3]["payload"]["amount"] = 999

    problem = _check_file(_export(tmp_path, edit)).problem

    assert (problem.line, problem.seq) == (4, 4)
    assert "edited" in problem.reason


def test_deleted_entry_in_export_is_named(chain, tmp_path):
    def delete(entries):
        del entries[3]

    problem = _check_file(_export(tmp_path, delete)).problem

    assert (problem.line, problem.seq) == (4, 5)
    assert "seq 4 missing" in problem.reason


def test_swapped_entries_in_export_are_named(chain, tmp_path):
    def swap(entries):
        entries[3], entries[4] = entries[4], entries[3]

    problem = _check_file(_export(tmp_path, swap)).problem

    assert (problem.line, problem.seq) == (4, 5)
    assert "expected seq 4" in problem.reason


def test_inserted_forged_entry_in_export_is_named(chain, tmp_path):
    """A forged entry hashed onto seq 3 and the later entries renumbered: the chain breaks at the
    next entry, whose prev_hash no longer matches what precedes it."""
    def insert(entries):
        entries.insert(3, _forged(entries, 4))
        for later in entries[4:]:
            later["seq"] += 1

    problem = _check_file(_export(tmp_path, insert)).problem

    assert (problem.line, problem.seq) == (5, 5)
    assert "prev_hash does not match the entry_hash of seq 4" in problem.reason


def test_extra_unhashed_field_in_export_is_named(chain, tmp_path):
    def annotate(entries):
        entries[1]["approved_by"] = "mallory"

    problem = _check_file(_export(tmp_path, annotate)).problem

    assert (problem.line, problem.seq) == (2, 2)
    assert "approved_by" in problem.reason


def test_truncated_export_tail_is_detected_only_with_a_checkpoint(checkpoint, tmp_path):
    path = _export(tmp_path, lambda entries: entries.__delitem__(slice(8, None)))

    assert _check_file(path).intact
    problem = _check_file(path, [checkpoint]).problem
    assert problem.seq == 9
    assert "tail truncated" in problem.reason and "seq 9..10 missing" in problem.reason


def test_chain_recomputed_from_scratch_in_export_is_detected_only_with_a_checkpoint(checkpoint, tmp_path):
    def rewrite(entries):
        entries[3]["payload"]["amount"] = 999
        _rehash_from(entries, 3)

    path = _export(tmp_path, rewrite)

    assert _check_file(path).intact
    problem = _check_file(path, [checkpoint]).problem
    assert (problem.line, problem.seq) == (SIZE, SIZE)
    assert "recomputed" in problem.reason


# --- the database, as `manage.py ledger verify` sees it --------------------------------------------

@contextmanager
def unguarded():
    """Lift the append-only triggers for the tampering only (the test's transaction is rolled back)."""
    ledger_guard.remove(connection)
    try:
        yield
    finally:
        ledger_guard.install(connection)


def _verify_fails(*args):
    with pytest.raises(CommandError) as failure:
        call_command("ledger", "verify", *args, stdout=io.StringIO())
    assert failure.value.returncode == 1
    return str(failure.value)


def test_intact_database_verifies(checkpoint):
    out = io.StringIO()
    call_command("ledger", "verify", stdout=out)

    assert f"ledger intact: {SIZE} entries, head seq {SIZE}" in out.getvalue()
    assert "1 checkpoint(s) checked" in out.getvalue()


def test_edited_payload_in_database_is_named(chain):
    with unguarded():
        LedgerEntry.objects.filter(seq=4).update(payload={"amount": 999})

    message = _verify_fails()
    assert "BROKEN at seq 4: entry_hash does not match the entry's content" in message


def test_deleted_entry_in_database_is_named(chain):
    with unguarded():
        LedgerEntry.objects.filter(seq=4).delete()

    assert "BROKEN at seq 5: expected seq 4, found 5: seq 4 missing" in _verify_fails()


def test_swapped_entries_in_database_are_named(chain):
    with unguarded():
        LedgerEntry.objects.filter(seq=4).update(seq=-4)
        LedgerEntry.objects.filter(seq=5).update(seq=4)
        LedgerEntry.objects.filter(seq=-4).update(seq=5)

    assert "BROKEN at seq 4: prev_hash does not match the entry_hash of seq 3" in _verify_fails()


def test_inserted_forged_entry_in_database_is_named(chain):
    entries = list(ledger_audit.iter_entries())
    forged = _forged(entries, 4)
    with unguarded():
        for seq in range(SIZE, 3, -1):
            LedgerEntry.objects.filter(seq=seq).update(seq=seq + 1)
        # The unique prev_hash refuses a second successor of seq 3 until the original one is relinked.
        with pytest.raises(IntegrityError), transaction.atomic():
            _store(forged)
        LedgerEntry.objects.filter(seq=5).update(prev_hash=forged["entry_hash"])
        _store(forged)

    assert "BROKEN at seq 5: entry_hash does not match the entry's content" in _verify_fails()


def _store(entry):
    LedgerEntry.objects.create(seq=entry["seq"], recorded_at=datetime.fromisoformat(entry["recorded_at"]),
                               actor_name=entry["actor"], action=entry["action"], subject=entry["subject"],
                               payload=entry["payload"], prev_hash=entry["prev_hash"], entry_hash=entry["entry_hash"])


def test_truncated_tail_in_database_is_detected_by_the_stored_checkpoint(checkpoint):
    with unguarded():
        LedgerEntry.objects.filter(seq__gt=8).delete()

    assert "BROKEN at seq 9: the ledger ends at seq 8" in _verify_fails()


def test_truncated_tail_with_checkpoints_deleted_is_detected_by_the_kept_checkpoint(checkpoint, tmp_path):
    kept = tmp_path / "checkpoint.json"
    kept.write_text(json.dumps(checkpoint))
    with unguarded():
        LedgerEntry.objects.filter(seq__gt=8).delete()
        LedgerCheckpoint.objects.all().delete()

    call_command("ledger", "verify", stdout=io.StringIO())  # nothing left in the DB to contradict it
    assert "tail truncated" in _verify_fails("--checkpoint", str(kept))


def test_chain_recomputed_from_scratch_in_database_is_detected_by_the_checkpoint(checkpoint, tmp_path):
    kept = tmp_path / "checkpoint.json"
    kept.write_text(json.dumps(checkpoint))
    entries = list(ledger_audit.iter_entries())
    entries[3]["payload"]["amount"] = 999
    _rehash_from(entries, 3)
    with unguarded():
        for entry in entries[3:]:
            LedgerEntry.objects.filter(seq=entry["seq"]).update(
                payload=entry["payload"], prev_hash=entry["prev_hash"], entry_hash=entry["entry_hash"])

    assert f"BROKEN at seq {SIZE}: entry_hash differs from the signed checkpoint" in _verify_fails()
    with unguarded():
        LedgerCheckpoint.objects.all().delete()
    assert "recomputed" in _verify_fails("--checkpoint", str(kept))


def test_forged_stored_checkpoint_is_detected(checkpoint):
    with unguarded():
        LedgerCheckpoint.objects.update(seq=SIZE - 1)

    assert f"BROKEN at seq {SIZE - 1}: checkpoint for seq {SIZE - 1}" in _verify_fails()
