"""The auditor's standalone check (changemgmt/ledger/merkle_verify.py, copied with merkle.py and
ledger_verifier.py): an entry is in a kept tree head, and a newer head extends an older one, from
the command's JSON alone. A tampered entry, a forged proof, a history rewritten between two heads
and a head signed with another key each fail (exit 1)."""
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from changemgmt import ledger
from changemgmt.ledger import guard as ledger_guard
from changemgmt.ledger import merkle, merkle_verify, signing_key
from changemgmt.ledger import verifier as ledger_verifier
from changemgmt.models import LedgerEntry, MerkleNode


@pytest.fixture(autouse=True)
def _own_key(settings, tmp_path):
    settings.LEDGER_SIGNING_KEY_FILE = str(tmp_path / "keys" / "ledger-signing-key.pem")
    settings.LEDGER_SIGNING_KEY_AUTOGENERATE = True


def append(count: int) -> None:
    for i in range(count):
        with transaction.atomic():
            ledger.append(actor=None, action="test.note", subject=f"thing:{i}", payload={"i": i})


def merkle_command(*args) -> dict:
    out = io.StringIO()
    call_command("merkle", *args, stdout=out, stderr=io.StringIO())
    return json.loads(out.getvalue())


@pytest.fixture
def auditor(db, tmp_path):
    """A folder with the three copied files, the public key, and two kept heads (7 and 12 entries)."""
    folder = tmp_path / "auditor"
    folder.mkdir()
    # the names the README tells an auditor to give the copies
    for module, name in ((merkle_verify, "merkle_verify.py"), (merkle, "merkle.py"),
                         (ledger_verifier, "ledger_verifier.py")):
        shutil.copy(module.__file__, folder / name)
    (folder / "ledger-key.pem").write_text(signing_key.public_key_pem())
    append(6)
    write(folder, "old-head.json", merkle_command("tree-head"))  # 6 entries; its signing is seq 7
    append(4)
    write(folder, "new-head.json", merkle_command("tree-head"))  # 11 entries
    return folder


def write(folder: Path, name: str, document) -> str:
    (folder / name).write_text(json.dumps(document))
    return name


def run(folder: Path, *args, flags=("-I",)) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *flags, "merkle_verify.py", *args], cwd=folder, capture_output=True,
                          text=True, timeout=60)


def inclusion(folder, proof="proof.json", head="new-head.json", *extra):
    return run(folder, "inclusion", "--proof", proof, "--tree-head", head, "--public-key", "ledger-key.pem", *extra)


def consistency(folder, old="old-head.json", new="new-head.json", proof="consistency.json"):
    return run(folder, "consistency", "--old", old, "--new", new, "--proof", proof, "--public-key", "ledger-key.pem")


def test_an_entry_is_proven_in_a_kept_head_from_the_proof_alone(auditor):
    write(auditor, "proof.json", merkle_command("inclusion-proof", "--entry", "3", "--tree-size", "11"))
    result = inclusion(auditor)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("OK: entry seq 3 is in the tree of 11 entries (signatures valid)")


def test_the_proofs_check_with_the_standard_library_only_when_no_signature_is_checked(auditor):
    write(auditor, "proof.json", merkle_command("inclusion-proof", "--entry", "11", "--tree-size", "11"))
    write(auditor, "consistency.json", merkle_command("consistency-proof", "--from", "6", "--to", "11"))
    first = run(auditor, "inclusion", "--proof", "proof.json", "--tree-head", "new-head.json", flags=("-I", "-S"))
    second = run(auditor, "consistency", "--old", "old-head.json", "--new", "new-head.json", "--proof",
                 "consistency.json", flags=("-I", "-S"))
    assert (first.returncode, second.returncode) == (0, 0), first.stdout + second.stdout + second.stderr
    assert "signatures NOT checked" in first.stdout
    assert "the tree of 11 entries extends the tree of 6" in second.stdout


def test_a_tampered_entry_fails(auditor):
    proof = merkle_command("inclusion-proof", "--entry", "4", "--tree-size", "11")
    edited = {**proof["entry"], "payload": {"i": 99}}
    write(auditor, "proof.json", proof)
    result = inclusion(auditor, "proof.json", "new-head.json", "--entry", write(auditor, "entry.json", edited))
    assert result.returncode == 1 and "the entry was edited" in result.stdout
    rehashed = {**edited, "entry_hash": ledger_verifier.entry_hash(edited)}  # consistent, but not the signed one
    result = inclusion(auditor, "proof.json", "new-head.json", "--entry", write(auditor, "entry.json", rehashed))
    assert result.returncode == 1 and "is not in the tree of 11 entries" in result.stdout


def test_a_forged_proof_fails(auditor):
    proof = merkle_command("inclusion-proof", "--entry", "5", "--tree-size", "11")
    flipped = proof["proof"][1][:-1] + ("0" if proof["proof"][1][-1] != "0" else "1")
    forged = [{**proof, "proof": [proof["proof"][0], flipped, *proof["proof"][2:]]},
              {**proof, "proof": proof["proof"][:-1]},
              {**proof, "entry": merkle_command("inclusion-proof", "--entry", "6", "--tree-size", "11")["entry"]},
              {**proof, "tree_size": 6}]
    for document in forged:
        result = inclusion(auditor, write(auditor, "proof.json", document))
        assert result.returncode == 1, (document, result.stdout)
    assert inclusion(auditor, "proof.json", "old-head.json").returncode == 1  # a proof for another head


def test_a_newer_head_extends_the_older_one(auditor):
    write(auditor, "consistency.json", merkle_command("consistency-proof", "--from", "6", "--to", "11"))
    result = consistency(auditor)
    assert result.returncode == 0, result.stdout + result.stderr
    swapped = consistency(auditor, "new-head.json", "old-head.json")
    assert swapped.returncode == 1


def test_a_history_rewritten_between_two_heads_fails_consistency(auditor):
    """Entry 3 rewritten after the old head and the whole tree recomputed from the rewritten ledger:
    the new head and its proofs are self-consistent, but they do not extend the head the auditor kept."""
    entry = LedgerEntry.objects.get(seq=3)
    with ledger_guard.lifted(connection):
        LedgerEntry.objects.filter(seq=3).update(entry_hash="f" * 64, prev_hash=entry.prev_hash)
    MerkleNode.objects.all().delete()
    call_command("merkle", "backfill", stderr=io.StringIO())
    write(auditor, "rewritten-head.json", merkle_command("tree-head"))
    write(auditor, "consistency.json", merkle_command("consistency-proof", "--from", "6", "--to", "12"))
    result = consistency(auditor, "old-head.json", "rewritten-head.json")
    assert result.returncode == 1
    assert "does not extend the tree of 6: entries 1..6 were rewritten" in result.stdout


def test_a_head_signed_with_another_key_fails(auditor, settings, tmp_path):
    write(auditor, "proof.json", merkle_command("inclusion-proof", "--entry", "2", "--tree-size", "11"))
    settings.LEDGER_SIGNING_KEY_FILE = str(tmp_path / "other" / "key.pem")
    append(1)
    impostor = merkle_command("tree-head")
    write(auditor, "impostor.json", {**impostor, "tree_size": 11,
                                     "root_hash": json.loads((auditor / "new-head.json").read_text())["root_hash"]})
    result = inclusion(auditor, "proof.json", "impostor.json")
    assert result.returncode == 1 and "signature does not match" in result.stdout
    assert f"signed by key {impostor['key_id']}" in result.stdout


def test_unreadable_files_are_usage_errors(auditor):
    assert inclusion(auditor, "missing.json").returncode == 2
    proof = merkle_command("inclusion-proof", "--entry", "2", "--tree-size", "11")
    write(auditor, "proof.json", {**proof, "proof": ["xyz"]})
    result = inclusion(auditor)
    assert result.returncode == 2 and "not a list of 64-hex-digit hashes" in result.stderr


def test_the_module_runs_from_the_project_too(auditor):
    write(auditor, "consistency.json", merkle_command("consistency-proof", "--from", "6", "--to", "11"))
    result = subprocess.run([sys.executable, "-m", "changemgmt.ledger.merkle_verify", "consistency", "--old",
                             str(auditor / "old-head.json"), "--new", str(auditor / "new-head.json"), "--proof",
                             str(auditor / "consistency.json")], cwd=Path(merkle.__file__).parents[2],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
