"""Rotating the ledger's signing key (`manage.py ledger rotate-key`): checkpoints signed before the
rotation keep verifying with the retired public key, in the database and offline, and the verifier
names the key that signed each; a forged checkpoint still fails (issue 9)."""
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client

from changemgmt import ledger
from changemgmt.ledger import audit, signing_key
from changemgmt.ledger import verifier as ledger_verifier
from changemgmt.models import LedgerCheckpoint, LedgerEntry

KEY_URL = "/.well-known/changemgmt-ledger-key.pem"


@pytest.fixture(autouse=True)
def _keys(settings, tmp_path):
    signing_key.write_new_key(tmp_path / "keys" / "ledger-signing-key.pem")
    settings.LEDGER_SIGNING_KEY_FILE = str(tmp_path / "keys" / "ledger-signing-key.pem")
    settings.LEDGER_SIGNING_KEY_AUTOGENERATE = False
    settings.LEDGER_RETIRED_PUBLIC_KEYS_FILE = str(tmp_path / "keys" / "retired.pem")


def _append(count):
    for i in range(count):
        with transaction.atomic():
            ledger.append(actor=None, action="test.event", subject=f"thing:{i}", payload={"i": i})


def _command(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("ledger", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def rotated(db):
    """Three entries and a checkpoint under the old key, a rotation, one more entry under the new key."""
    _append(3)
    before = json.loads(_command("checkpoint")[0])
    old_key = signing_key.key_id()
    last_old, first_new = (json.loads(line) for line in _command("rotate-key")[0].splitlines())
    _append(1)
    return {"before": before, "old_key": old_key, "last_old": last_old, "first_new": first_new}


def test_rotation_signs_the_head_with_both_keys_and_keeps_the_old_public_key(rotated, settings):
    new_key = signing_key.key_id()
    assert new_key != rotated["old_key"]
    assert (rotated["last_old"]["key_id"], rotated["first_new"]["key_id"]) == (rotated["old_key"], new_key)
    assert rotated["last_old"]["seq"] == rotated["first_new"]["seq"] == 3
    assert [ledger_verifier.public_key_id(k) for k in signing_key.retired_public_keys()] == [rotated["old_key"]]
    old_private = Path(f"{settings.LEDGER_SIGNING_KEY_FILE}.retired-{rotated['old_key']}")
    assert old_private.exists()


def test_a_checkpoint_signed_before_rotation_still_verifies_in_the_database(rotated):
    output, _ = _command("verify")

    assert "ledger intact: 4 entries" in output and "3 checkpoint(s) checked" in output
    assert f"checkpoint seq 3 signed at {rotated['before']['signed_at']} by retired key {rotated['old_key']}" \
        in output
    assert f"by current key {signing_key.key_id()}" in output


def test_without_the_retired_key_the_old_checkpoints_no_longer_verify(rotated, settings):
    settings.LEDGER_RETIRED_PUBLIC_KEYS_FILE = ""

    outcome = audit.verify_database()

    assert not outcome.intact and "invalid signature" in outcome.problem.reason


def test_a_forged_checkpoint_naming_the_retired_key_fails(rotated):
    head = LedgerEntry.objects.get(seq=4)
    LedgerCheckpoint.objects.create(seq=4, entry_hash=head.entry_hash, signed_at=head.recorded_at,
                                    key_id=rotated["old_key"], signature="ab" * 64)

    with pytest.raises(CommandError, match="invalid signature"):
        _command("verify")


def test_the_well_known_url_serves_the_current_key_first_then_the_retired_ones(rotated):
    served = Client().get(KEY_URL)

    assert served.status_code == 200 and served["X-Key-Id"] == signing_key.key_id()
    assert served["X-Retired-Key-Ids"] == rotated["old_key"]
    first = load_pem_public_key(served.content)  # a reader of the pre-rotation format gets the current key
    assert ledger_verifier.public_key_id(first) == signing_key.key_id()
    assert [ledger_verifier.public_key_id(k) for k in ledger_verifier.load_public_keys(served.content)] == \
        [signing_key.key_id(), rotated["old_key"]]
    assert _command("public-key", "--all")[0] == served.content.decode()


def _offline(tmp_path, checkpoint: dict, keys_pem: bytes):
    auditor = tmp_path / "auditor"
    auditor.mkdir(exist_ok=True)
    shutil.copy(ledger_verifier.__file__, auditor / "ledger_verifier.py")
    _command("export", "--output", str(auditor / "export.jsonl"))
    (auditor / "keys.pem").write_bytes(keys_pem)
    (auditor / "checkpoint.json").write_text(json.dumps(checkpoint))
    return subprocess.run([sys.executable, "-I", "ledger_verifier.py", "export.jsonl", "--checkpoint",
                           "checkpoint.json", "--public-key", "keys.pem"],
                          cwd=auditor, capture_output=True, text=True, timeout=60)


def test_offline_a_checkpoint_signed_before_rotation_verifies_with_the_served_keys(rotated, tmp_path):
    result = _offline(tmp_path, rotated["before"], Client().get(KEY_URL).content)

    assert result.returncode == 0, result.stdout + result.stderr
    assert f"signature valid, signed by key {rotated['old_key']}" in result.stdout


def test_offline_the_current_key_alone_does_not_vouch_for_an_old_checkpoint(rotated, tmp_path):
    result = _offline(tmp_path, rotated["before"], signing_key.public_key_pem().encode())

    assert result.returncode == 1 and "signature does not match" in result.stdout
    assert f"signed by key {rotated['old_key']}" in result.stdout


def test_offline_a_forged_checkpoint_fails_with_every_key(rotated, tmp_path):
    forged = {**rotated["before"], "seq": 4, "entry_hash": LedgerEntry.objects.get(seq=4).entry_hash}

    result = _offline(tmp_path, forged, Client().get(KEY_URL).content)

    assert result.returncode == 1 and "signature does not match" in result.stdout


def test_rotation_is_refused_without_the_retired_keys_setting(db, settings):
    _append(1)
    settings.LEDGER_RETIRED_PUBLIC_KEYS_FILE = ""
    before = signing_key.key_id()

    with pytest.raises(CommandError, match="LEDGER_RETIRED_PUBLIC_KEYS_FILE"):
        _command("rotate-key")

    assert signing_key.key_id() == before and LedgerCheckpoint.objects.count() == 0


def test_an_unreadable_retired_bundle_fails_the_system_check(db, settings, tmp_path):
    Path(settings.LEDGER_RETIRED_PUBLIC_KEYS_FILE).write_text("not a key")

    errors = signing_key.check_retired_keys()

    assert [error.id for error in errors] == ["changemgmt.E002"]
