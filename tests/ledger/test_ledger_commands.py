"""`manage.py ledger export|checkpoint|verify` and the standalone verifier an auditor runs offline."""
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from changemgmt import ledger
from changemgmt.ledger import audit as ledger_audit
from changemgmt.ledger import guard as ledger_guard
from changemgmt.ledger import signing_key
from changemgmt.ledger import verifier as ledger_verifier
from changemgmt.models import LedgerCheckpoint, LedgerEntry

VERIFIER = Path(ledger_verifier.__file__)


def _use_new_key(settings, path):
    signing_key.write_new_key(path)
    settings.LEDGER_SIGNING_KEY_FILE = str(path)
    settings.LEDGER_SIGNING_KEY_AUTOGENERATE = False


@pytest.fixture(autouse=True)
def _signing_key(settings, tmp_path_factory):
    _use_new_key(settings, tmp_path_factory.mktemp("key") / "ledger-signing-key.pem")


def _append(n):
    for i in range(n):
        with transaction.atomic():
            ledger.append(actor=None, action="test.event", subject=f"thing:{i}",
                          payload={"i": i, "text": "naïve <script>", "nested": {"b": 1, "a": [1.5, None, True]}})


@pytest.fixture
def chain(db):
    _append(6)


def _run(*args, cwd, stdlib_only=True):
    """The verifier copied alone into a directory. With -I -S (no site-packages, no project on the
    path) it passes only if it needs nothing but the standard library; checking a signature also
    needs `cryptography`, the one package an auditor installs (stdlib_only=False)."""
    flags = ["-I", "-S"] if stdlib_only else ["-I"]
    return subprocess.run([sys.executable, *flags, "ledger_verifier.py", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=60)


@pytest.fixture
def offline(tmp_path):
    """What the auditor holds: the verifier and the public key (no secret)."""
    shutil.copy(VERIFIER, tmp_path / "ledger_verifier.py")
    out = io.StringIO()
    call_command("ledger", "public-key", stdout=out)
    (tmp_path / "ledger-key.pem").write_text(out.getvalue(), encoding="ascii")
    return tmp_path


def test_export_writes_exactly_the_hashed_fields_and_entry_hash(chain, tmp_path):
    path = tmp_path / "export.jsonl"
    call_command("ledger", "export", "--output", str(path), stderr=io.StringIO())

    lines = path.read_text(encoding="utf-8").splitlines()
    first = json.loads(lines[0])
    stored = LedgerEntry.objects.get(seq=1)
    assert len(lines) == 6
    assert list(first) == ["seq", "recorded_at", "actor", "action", "subject", "payload", "prev_hash", "entry_hash"]
    assert first["payload"] == stored.payload and first["entry_hash"] == stored.entry_hash
    assert first["recorded_at"].endswith("Z")


def test_export_to_standard_output(chain):
    out = io.StringIO()
    call_command("ledger", "export", stdout=out)

    assert [json.loads(line)["seq"] for line in out.getvalue().splitlines()] == [1, 2, 3, 4, 5, 6]


def test_checkpoint_prints_and_stores_the_signed_head(chain):
    out = io.StringIO()
    call_command("ledger", "checkpoint", stdout=out)

    printed = json.loads(out.getvalue())
    head = LedgerEntry.objects.get(seq=6)
    message = f"changemgmt-ledger-checkpoint:6:{head.entry_hash}".encode()
    assert set(printed) == {"seq", "entry_hash", "signed_at", "algorithm", "key_id", "signature"}
    assert (printed["seq"], printed["entry_hash"]) == (6, head.entry_hash)
    assert (printed["algorithm"], printed["key_id"]) == ("ed25519", signing_key.key_id())
    signing_key.private_key().public_key().verify(bytes.fromhex(printed["signature"]), message)
    assert LedgerCheckpoint.objects.get().signature == printed["signature"]


def test_checkpoint_refuses_to_sign_a_broken_chain(chain):
    LedgerCheckpoint.objects.create(seq=6, entry_hash="0" * 64, signed_at=LedgerEntry.objects.get(seq=1).recorded_at,
                                    signature="f" * 128)

    with pytest.raises(CommandError, match="not signing: ledger BROKEN"):
        call_command("ledger", "checkpoint", stdout=io.StringIO())
    assert LedgerCheckpoint.objects.count() == 1


def test_checkpoint_of_an_empty_ledger_is_refused(db):
    with pytest.raises(CommandError, match="no entries"):
        call_command("ledger", "checkpoint", stdout=io.StringIO())


def test_verify_with_an_unreadable_kept_checkpoint_is_a_usage_error(chain, tmp_path):
    (tmp_path / "cp.json").write_text("{not json")

    with pytest.raises(CommandError) as failure:
        call_command("ledger", "verify", "--checkpoint", str(tmp_path / "cp.json"), stdout=io.StringIO())
    assert failure.value.returncode == 2


def test_kept_checkpoint_signed_with_another_key_fails_verification(chain, tmp_path, settings):
    ours = settings.LEDGER_SIGNING_KEY_FILE
    _use_new_key(settings, tmp_path / "someone-elses-key.pem")
    kept = ledger_audit.checkpoint_document(ledger_audit.create_checkpoint())
    with ledger_guard.lifted(connection):  # checkpoints are append-only too
        LedgerCheckpoint.objects.all().delete()
    (tmp_path / "cp.json").write_text(json.dumps(kept))
    settings.LEDGER_SIGNING_KEY_FILE = ours

    with pytest.raises(CommandError, match="invalid signature"):
        call_command("ledger", "verify", "--checkpoint", str(tmp_path / "cp.json"), stdout=io.StringIO())


@pytest.mark.parametrize("entries", [7, 14])
def test_verify_reads_the_chain_in_fixed_size_batches(db, entries):
    """Memory stays flat: one LIMITed keyset query per batch, never the whole table at once."""
    _append(entries)

    with CaptureQueriesContext(transaction.get_connection()) as queries:
        outcome = ledger_audit.verify_database(batch_size=4)

    entry_queries = [q["sql"] for q in queries.captured_queries if "ledgerentry" in q["sql"]]
    assert outcome.intact and outcome.entries == entries
    assert len(entry_queries) == entries // 4 + 1
    assert all("LIMIT 4" in sql for sql in entry_queries)


def test_offline_verifier_passes_an_intact_export_with_its_checkpoint(chain, offline):
    call_command("ledger", "export", "--output", str(offline / "export.jsonl"), stderr=io.StringIO())
    out = io.StringIO()
    call_command("ledger", "checkpoint", stdout=out)
    (offline / "checkpoint.json").write_text(out.getvalue())

    result = _run("export.jsonl", "--checkpoint", "checkpoint.json", "--public-key", "ledger-key.pem", cwd=offline,
                  stdlib_only=False)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK: 6 entries" in result.stdout and "signature valid" in result.stdout


def test_offline_verifier_names_the_first_broken_line(chain, offline):
    call_command("ledger", "export", "--output", str(offline / "export.jsonl"), stderr=io.StringIO())
    lines = (offline / "export.jsonl").read_text(encoding="utf-8").splitlines()
    edited = json.loads(lines[2])
    edited["actor"] = "mallory"
    lines[2] = json.dumps(edited)
    (offline / "export.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")

    result = _run("export.jsonl", cwd=offline)

    assert result.returncode == 1
    assert "BROKEN at line 3, seq 3: entry_hash does not match" in result.stdout


def test_offline_verifier_refuses_a_checkpoint_with_the_wrong_key(chain, offline, settings, tmp_path):
    call_command("ledger", "export", "--output", str(offline / "export.jsonl"), stderr=io.StringIO())
    out = io.StringIO()
    call_command("ledger", "checkpoint", stdout=out)
    (offline / "checkpoint.json").write_text(out.getvalue())
    _use_new_key(settings, tmp_path / "another-key.pem")
    wrong = io.StringIO()
    call_command("ledger", "public-key", stdout=wrong)
    (offline / "ledger-key.pem").write_text(wrong.getvalue())

    result = _run("export.jsonl", "--checkpoint", "checkpoint.json", "--public-key", "ledger-key.pem", cwd=offline,
                  stdlib_only=False)

    assert result.returncode == 1 and "signature does not match" in result.stdout


@pytest.mark.parametrize("args", [[], ["missing.jsonl"], ["export.jsonl", "--public-key", "ledger-key.pem"],
                                  ["export.jsonl", "--checkpoint", "missing.json"]])
def test_offline_verifier_usage_errors_exit_2(offline, args):
    (offline / "export.jsonl").write_text("")

    assert _run(*args, cwd=offline).returncode == 2


def test_offline_verifier_names_a_line_that_is_not_json(offline):
    (offline / "export.jsonl").write_text("{garbage\n")

    result = _run("export.jsonl", cwd=offline)

    assert result.returncode == 1 and "line 1: not valid JSON" in result.stdout
