"""`manage.py merkle`: tree-head signs and prints the head, the proof subcommands print the JSON the
standalone verifier reads, bad arguments stop with a message, backfill is idempotent."""
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from changemgmt import ledger
from changemgmt.models import MerkleNode, TreeHead


@pytest.fixture(autouse=True)
def _own_key(settings, tmp_path):
    settings.LEDGER_SIGNING_KEY_FILE = str(tmp_path / "keys" / "ledger-signing-key.pem")
    settings.LEDGER_SIGNING_KEY_AUTOGENERATE = True


@pytest.fixture
def entries(db):
    for i in range(5):
        with transaction.atomic():
            ledger.append(actor=None, action="test.note", subject=f"thing:{i}")


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("merkle", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_tree_head_prints_the_signed_head(entries):
    head = json.loads(run("tree-head")[0])
    assert set(head) == {"tree_size", "root_hash", "timestamp", "algorithm", "key_id", "signature"}
    assert head["tree_size"] == 5 and TreeHead.objects.get().root_hash == head["root_hash"]


def test_proofs_print_json(entries):
    run("tree-head")
    proof = json.loads(run("inclusion-proof", "--entry", "2")[0])
    assert proof["tree_size"] == 5 and proof["entry"]["seq"] == 2 and proof["tree_head"]["tree_size"] == 5
    consistency = json.loads(run("consistency-proof", "--from", "2", "--to", "6")[0])
    assert (consistency["first"], consistency["second"], len(consistency["proof"])) == (2, 6, 2)


@pytest.mark.parametrize(("args", "message"), [
    (("inclusion-proof", "--entry", "9", "--tree-size", "5"), "tree_size: Entry 9 is not in a tree of 5 entries."),
    (("inclusion-proof", "--entry", "0", "--tree-size", "5"), "no ledger entry 0"),
    (("consistency-proof", "--from", "5", "--to", "3"), "from: Must not exceed to (3)."),
    (("consistency-proof", "--from", "1", "--to", "30"), "to: The tree holds 5 entries; 30 is beyond it."),
])
def test_bad_arguments_stop_with_a_message(entries, args, message):
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        run(*args)


def test_tree_head_on_an_empty_ledger_says_so(db):
    with pytest.raises(CommandError, match="no entries yet"):
        run("tree-head")


def test_backfill_is_idempotent(entries):
    MerkleNode.objects.all().delete()
    assert run("backfill")[1] == "added 5 leaves; the tree holds 5 entries\n"
    assert run("backfill")[1] == "added 0 leaves; the tree holds 5 entries\n"
