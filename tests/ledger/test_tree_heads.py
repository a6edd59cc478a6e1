"""Signed tree heads: the root of the whole ledger, signed with the instance's Ed25519 key, stored
and recorded by one ledger entry; the hourly beat job signs only when the ledger grew."""
import pytest
from django.db import transaction
from django_celery_beat.models import PeriodicTask

from changemgmt import ledger
from changemgmt.ledger import merkle, merkle_store, signing_key
from changemgmt.ledger import tasks as merkle_tasks
from changemgmt.ledger import tree_heads as merkle_heads
from changemgmt.ledger.merkle_verify import head_signature_valid
from changemgmt.models import LedgerEntry, MerkleNode, TreeHead
from tests.support.factories import NOW


@pytest.fixture(autouse=True)
def _own_key(settings, tmp_path):
    settings.LEDGER_SIGNING_KEY_FILE = str(tmp_path / "keys" / "ledger-signing-key.pem")
    settings.LEDGER_SIGNING_KEY_AUTOGENERATE = True


def append(count: int) -> None:
    for i in range(count):
        with transaction.atomic():
            ledger.append(actor=None, action="test.note", subject=f"thing:{i}", payload={"i": i})


def test_a_tree_head_signs_the_root_of_every_entry_and_is_recorded_in_the_ledger(db, frozen, admin_user):
    append(5)
    leaves = [merkle.ledger_leaf_hash(h) for h in LedgerEntry.objects.values_list("entry_hash", flat=True)]
    head = merkle_heads.sign_tree_head(actor=admin_user)
    assert head.tree_size == 5 and head.root_hash == merkle.root_of_hashes(leaves).hex()
    assert head.key_id == signing_key.key_id() and head.algorithm == "ed25519"
    assert head_signature_valid(signing_key.private_key().public_key(), merkle_heads.head_document(head))
    recorded = LedgerEntry.objects.get(seq=6)
    assert (recorded.action, recorded.actor_name, recorded.subject) == ("tree_head.signed", "ada",
                                                                        f"changemgmt.treehead:{head.pk}")
    assert recorded.payload == {"tree_size": 5, "root_hash": head.root_hash, "timestamp": head.timestamp,
                                "key_id": head.key_id}
    assert merkle_store.leaf_count() == 6  # the signing is a leaf of the next head


def test_the_timestamp_is_milliseconds_since_the_epoch(db, frozen):
    append(1)
    assert merkle_heads.sign_tree_head().timestamp == int(NOW.timestamp() * 1000)


def test_an_altered_head_fails_its_signature(db):
    append(2)
    document = merkle_heads.head_document(merkle_heads.sign_tree_head())
    public_key = signing_key.private_key().public_key()
    for field, value in [("tree_size", 1), ("root_hash", "0" * 64), ("timestamp", 1), ("algorithm", "hmac-sha256")]:
        assert not head_signature_valid(public_key, {**document, field: value}), field
    assert not head_signature_valid(public_key, {k: v for k, v in document.items() if k != "timestamp"})


def test_an_empty_ledger_has_nothing_to_sign(db):
    with pytest.raises(merkle_heads.NothingToSign):
        merkle_heads.sign_tree_head()
    assert not TreeHead.objects.exists()


def test_a_tree_out_of_step_with_the_ledger_is_not_signed(db):
    append(3)
    MerkleNode.objects.filter(level=0, index=2).delete()
    with pytest.raises(merkle_store.TreeOutOfStep, match="backfill"):
        merkle_heads.sign_tree_head()
    assert not TreeHead.objects.exists() and LedgerEntry.objects.count() == 3


def test_the_periodic_job_signs_only_when_the_ledger_grew(db):
    assert merkle_tasks.sign_tree_head() is None  # empty
    append(3)
    assert merkle_tasks.sign_tree_head() == 3
    assert merkle_tasks.sign_tree_head() is None  # only its own signing entry since
    append(1)
    assert merkle_tasks.sign_tree_head() == 5
    assert list(TreeHead.objects.values_list("tree_size", flat=True)) == [5, 3]
    assert LedgerEntry.objects.filter(action="tree_head.signed").count() == 2


def test_the_periodic_job_is_scheduled_hourly(db):
    job = PeriodicTask.objects.get(task="changemgmt.sign_tree_head")
    assert job.enabled and (job.interval.every, job.interval.period) == (1, "hours")
