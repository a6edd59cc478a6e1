"""Ledger checkpoints are signed with an Ed25519 key, never with SECRET_KEY or a shared secret: an
auditor checks a checkpoint with the public key alone (issue 9 §7)."""
import io
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client

from changemgmt import ledger
from changemgmt.ledger import audit as ledger_audit
from changemgmt.ledger import signing_key
from changemgmt.ledger import verifier as ledger_verifier
from changemgmt.models import LedgerCheckpoint, LedgerEntry

ROOT = Path(__file__).resolve().parents[2]
BASE_ENV = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "SYSTEMROOT") if key in os.environ}


@pytest.fixture(autouse=True)
def _own_key(settings, tmp_path):
    settings.LEDGER_SIGNING_KEY_FILE = str(tmp_path / "keys" / "ledger-signing-key.pem")
    settings.LEDGER_SIGNING_KEY_AUTOGENERATE = True


@pytest.fixture
def chain(db):
    for i in range(4):
        with transaction.atomic():
            ledger.append(actor=None, action="test.event", subject=f"thing:{i}", payload={"i": i})


def _checkpoint() -> dict:
    out = io.StringIO()
    call_command("ledger", "checkpoint", stdout=out)
    return json.loads(out.getvalue())


def _auditor_dir(tmp_path, public_key_pem: str, checkpoint: dict) -> Path:
    auditor = tmp_path / "auditor"
    auditor.mkdir()
    shutil.copy(ledger_verifier.__file__, auditor / "ledger_verifier.py")
    call_command("ledger", "export", "--output", str(auditor / "export.jsonl"), stderr=io.StringIO())
    (auditor / "ledger-key.pem").write_text(public_key_pem)
    (auditor / "checkpoint.json").write_text(json.dumps(checkpoint))
    return auditor


def _verify_offline(auditor: Path, *, stdlib_only: bool = False):
    flags = ["-I", "-S"] if stdlib_only else ["-I"]
    return subprocess.run([sys.executable, *flags, "ledger_verifier.py", "export.jsonl", "--checkpoint",
                           "checkpoint.json", "--public-key", "ledger-key.pem"],
                          cwd=auditor, capture_output=True, text=True, timeout=60)


def test_an_auditor_verifies_a_checkpoint_with_the_public_key_served_without_login(chain, tmp_path):
    checkpoint = _checkpoint()
    served = Client().get("/.well-known/changemgmt-ledger-key.pem")
    assert served.status_code == 200 and served["X-Key-Id"] == checkpoint["key_id"]
    public_pem = served.content.decode()
    assert "PRIVATE" not in public_pem and public_pem.startswith("-----BEGIN PUBLIC KEY-----")

    result = _verify_offline(_auditor_dir(tmp_path, public_pem, checkpoint))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK: 4 entries" in result.stdout and "signature valid" in result.stdout


def test_manage_py_prints_the_same_public_key_the_site_serves(db):
    out = io.StringIO()
    call_command("ledger", "public-key", stdout=out)

    assert out.getvalue() == Client().get("/.well-known/changemgmt-ledger-key.pem").content.decode()


def test_a_checkpoint_altered_after_signing_fails_offline(chain, tmp_path):
    checkpoint = _checkpoint()
    forged = {**checkpoint, "seq": 3, "entry_hash": LedgerEntry.objects.get(seq=3).entry_hash}

    result = _verify_offline(_auditor_dir(tmp_path, signing_key.public_key_pem(), forged))

    assert result.returncode == 1 and "signature does not match" in result.stdout


def test_the_signature_does_not_depend_on_secret_key(chain, settings):
    checkpoint = _checkpoint()
    settings.SECRET_KEY = "a-rotated-secret-key-that-must-not-matter-0123456789"

    assert ledger_verifier.signature_valid(signing_key.private_key().public_key(), checkpoint)
    assert ledger_audit.verify_database().intact


def test_a_stored_checkpoint_with_a_forged_signature_breaks_verification(chain):
    head = LedgerEntry.objects.get(seq=4)
    LedgerCheckpoint.objects.create(seq=4, entry_hash=head.entry_hash, signed_at=head.recorded_at,
                                    key_id=signing_key.key_id(), signature="ab" * 64)

    outcome = ledger_audit.verify_database()

    assert not outcome.intact and "invalid signature" in outcome.problem.reason


def test_old_hmac_checkpoints_are_kept_but_no_longer_checked(chain):
    head = LedgerEntry.objects.get(seq=4)
    LedgerCheckpoint.objects.create(seq=4, entry_hash=head.entry_hash, signed_at=head.recorded_at,
                                    algorithm=LedgerCheckpoint.LEGACY_HMAC, signature="cd" * 32)

    assert ledger_audit.stored_checkpoints() == []
    assert ledger_audit.verify_database().intact
    _checkpoint()  # and a new Ed25519 checkpoint is signed next to it
    assert LedgerCheckpoint.objects.filter(algorithm="ed25519").count() == 1


def test_the_verifier_checks_the_chain_with_the_standard_library_and_names_what_a_signature_needs(chain, tmp_path):
    auditor = _auditor_dir(tmp_path, signing_key.public_key_pem(), _checkpoint())

    result = _verify_offline(auditor, stdlib_only=True)
    assert result.returncode == 2 and "pip install cryptography" in result.stderr

    chain_only = subprocess.run([sys.executable, "-I", "-S", "ledger_verifier.py", "export.jsonl", "--checkpoint",
                                 "checkpoint.json"], cwd=auditor, capture_output=True, text=True, timeout=60)
    assert chain_only.returncode == 0 and "signature NOT checked" in chain_only.stdout


def test_keygen_writes_an_owner_only_key_and_never_overwrites_one(tmp_path, settings):
    path = tmp_path / "new" / "key.pem"
    call_command("ledger", "keygen", "--output", str(path), stderr=io.StringIO())
    first = path.read_bytes()

    assert b"BEGIN PRIVATE KEY" in first and stat.S_IMODE(path.stat().st_mode) == 0o600
    with pytest.raises(CommandError, match="not overwriting"):
        call_command("ledger", "keygen", "--output", str(path), stderr=io.StringIO())
    call_command("ledger", "keygen", "--output", str(path), "--if-missing", stderr=io.StringIO())
    assert path.read_bytes() == first
    settings.LEDGER_SIGNING_KEY_FILE, settings.LEDGER_SIGNING_KEY_AUTOGENERATE = str(path), False
    assert signing_key.sign(b"x")


def test_in_development_a_missing_key_is_generated_once(settings):
    path = Path(settings.LEDGER_SIGNING_KEY_FILE)
    assert not path.exists()

    first = signing_key.public_key_pem()

    assert path.exists() and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert signing_key.public_key_pem() == first


def test_a_missing_or_wrong_key_file_names_the_setting(settings, tmp_path):
    settings.LEDGER_SIGNING_KEY_AUTOGENERATE = False
    settings.LEDGER_SIGNING_KEY_FILE = str(tmp_path / "absent.pem")
    with pytest.raises(ImproperlyConfigured, match="LEDGER_SIGNING_KEY_FILE"):
        signing_key.sign(b"x")

    (tmp_path / "not-a-key.pem").write_text("hello")
    settings.LEDGER_SIGNING_KEY_FILE = str(tmp_path / "not-a-key.pem")
    with pytest.raises(ImproperlyConfigured, match="LEDGER_SIGNING_KEY_FILE"):
        signing_key.sign(b"x")


def test_production_refuses_to_start_without_a_signing_key(tmp_path):
    env = {**BASE_ENV, "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "changes.example.com",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}", "CHANGEMGMT_VAR_DIR": str(tmp_path / "var")}

    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120)

    assert result.returncode != 0
    assert "LEDGER_SIGNING_KEY_FILE is required when DEBUG is off" in result.stderr


@pytest.mark.django_db(transaction=True)
def test_the_migration_marks_existing_checkpoints_as_hmac_and_keeps_the_guard():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before, after = ("changemgmt", "0011_notification_mail_claims"), ("changemgmt", "0012_ledger_checkpoint_ed25519")
    executor = MigrationExecutor(connection)
    # every app's leaf: going back to 0011 also unapplies the later migrations of apps that depend on
    # changemgmt (changes' pipeline tables), which must come back for the tests that run after this one
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate([before])
    old_model = executor.loader.project_state([before]).apps.get_model("changemgmt", "LedgerCheckpoint")
    old_model.objects.create(seq=1, entry_hash="a" * 64, signed_at="2026-01-01T00:00:00Z", signature="b" * 64)
    executor = MigrationExecutor(connection)
    executor.migrate([after])
    executor = MigrationExecutor(connection)
    executor.migrate(latest)

    legacy = LedgerCheckpoint.objects.get()
    assert (legacy.algorithm, legacy.key_id) == ("hmac-sha256", "")
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        LedgerCheckpoint.objects.filter(pk=legacy.pk).update(seq=2)


def test_production_refuses_to_start_with_a_key_file_that_is_missing_or_not_a_key(tmp_path):
    (tmp_path / "not-a-key.pem").write_text("hello")
    env = {**BASE_ENV, "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "changes.example.com",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}", "CHANGEMGMT_VAR_DIR": str(tmp_path / "var")}
    for key_file in (tmp_path / "absent.pem", tmp_path / "not-a-key.pem"):
        result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, capture_output=True, text=True,
                                env={**env, "LEDGER_SIGNING_KEY_FILE": str(key_file)}, timeout=120)

        assert result.returncode != 0
        assert "changemgmt.E001" in result.stderr and "LEDGER_SIGNING_KEY_FILE" in result.stderr
