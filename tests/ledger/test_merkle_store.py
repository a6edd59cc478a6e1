"""The ledger's Merkle tree in the database: each append writes its leaf and the subtrees it
completes in the same transaction, the root is the RFC 9162 root of the entries' leaves, proofs cost
the same number of queries however long the ledger is, and the backfill is idempotent."""
from importlib import import_module

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from changemgmt import ledger
from changemgmt.ledger import guard as ledger_guard
from changemgmt.ledger import merkle, merkle_store
from changemgmt.ledger import tree_heads as merkle_heads
from changemgmt.models import LedgerEntry, MerkleNode


def append(count: int) -> None:
    for i in range(count):
        with transaction.atomic():
            ledger.append(actor=None, action="test.note", subject=f"thing:{i}", payload={"i": i})


def leaf_hashes() -> list[bytes]:
    hashes = LedgerEntry.objects.order_by("seq").values_list("entry_hash", flat=True)
    return [merkle.ledger_leaf_hash(h) for h in hashes]


def test_the_leaf_is_the_entrys_hash_as_32_bytes(db):
    append(1)
    entry = LedgerEntry.objects.get()
    node = MerkleNode.objects.get()
    assert (node.level, node.index) == (0, 0)
    assert node.hash == merkle.leaf_hash(bytes.fromhex(entry.entry_hash)).hex()


@pytest.mark.parametrize("count", [1, 2, 7, 8, 13])
def test_appends_build_the_rfc_9162_tree_of_the_ledger(db, count):
    append(count)
    assert merkle_store.leaf_count() == count
    assert MerkleNode.objects.count() == 2 * count - bin(count).count("1")  # every perfect subtree once
    for size in range(1, count + 1):
        assert merkle_store.root(size) == merkle.root_of_hashes(leaf_hashes()[:size])


def test_an_append_that_rolls_back_leaves_no_node(db):
    append(2)
    with pytest.raises(RuntimeError), transaction.atomic():
        ledger.append(actor=None, action="test.note", subject="thing:x")
        raise RuntimeError("the action failed")
    assert merkle_store.leaf_count() == 2 and MerkleNode.objects.count() == 3


def test_a_lagging_tree_catches_up_on_the_next_append(db):
    append(5)
    MerkleNode.objects.filter(index__gte=0).exclude(level=0, index=0).delete()
    append(1)
    assert merkle_store.leaf_count() == 6
    assert merkle_store.root(6) == merkle.root_of_hashes(leaf_hashes())


def test_backfill_adds_what_is_missing_and_nothing_on_a_second_run(db):
    append(11)
    expected = merkle_store.root(11)
    MerkleNode.objects.all().delete()
    assert merkle_store.backfill() == 11
    assert merkle_store.backfill() == 0
    assert merkle_store.root(11) == expected and MerkleNode.objects.count() == 2 * 11 - 3


def test_backfill_works_in_batches(db, monkeypatch):
    monkeypatch.setattr(merkle_store, "BATCH_SIZE", 4)
    append(10)
    MerkleNode.objects.all().delete()
    assert merkle_store.backfill() == 10
    assert merkle_store.root(10) == merkle.root_of_hashes(leaf_hashes())


def test_the_migration_adds_the_leaves_of_existing_entries(db):
    append(6)
    MerkleNode.objects.all().delete()
    import_module("changemgmt.migrations.0018_merkle_tree").backfill(apps, None)
    assert merkle_store.root(6) == merkle.root_of_hashes(leaf_hashes())


def test_a_ledger_cut_short_still_records_appends_but_the_tree_is_not_signed(db, caplog):
    append(3)
    with ledger_guard.lifted(connection):
        LedgerEntry.objects.filter(seq=3).delete()
    append(1)  # seq 3 again: the tree already holds a leaf 3, from the entry that was removed
    assert LedgerEntry.objects.count() == 3 and merkle_store.leaf_count() == 3
    assert "not recorded" in caplog.text
    with pytest.raises(merkle_store.TreeOutOfStep):
        merkle_heads.sign_tree_head()


def test_a_tree_missing_a_subtree_refuses_to_prove(db):
    append(4)
    MerkleNode.objects.filter(level=2).delete()
    with pytest.raises(merkle_store.TreeOutOfStep, match="backfill"):
        merkle_store.root(4)


def test_sizes_beyond_the_tree_are_refused(db):
    append(3)
    with pytest.raises(ValueError, match="between 1 and 3"):
        merkle_store.inclusion_proof(0, 4)
    with pytest.raises(ValueError):
        merkle_store.consistency_proof(1, 0)


def count_queries(action) -> int:
    with CaptureQueriesContext(connection) as captured:
        action()
    return len(captured)


def test_proofs_and_appends_cost_the_same_queries_at_two_ledger_sizes(db):
    first = count_queries(lambda: append(1))
    append(8)
    small = [count_queries(lambda: merkle_store.inclusion_proof(4, 9)),
             count_queries(lambda: merkle_store.consistency_proof(3, 9)),
             count_queries(lambda: append(1))]
    append(120)
    large = [count_queries(lambda: merkle_store.inclusion_proof(77, 129)),
             count_queries(lambda: merkle_store.consistency_proof(50, 129)),
             count_queries(lambda: append(1))]
    assert small == large and first == small[2]
    assert small[0] == 2  # the tree's size, then every subtree the proof needs in one query
