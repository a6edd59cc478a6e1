"""The ledger's Merkle tree in the database: perfect subtrees written with each append, proofs read
in a fixed number of queries however long the ledger is.

A tree of n leaves is the perfect subtrees of n's binary digits (its "frontier", at most log2(n)+1
of them). Adding leaf n reads that frontier (one query) and writes the leaf row plus one row for
each perfect subtree the leaf completes (one bulk insert): the new subtree roots merge from the
right exactly like a binary counter carrying. A proof needs O(log n) perfect subtrees, read in
one query (changemgmt.ledger.merkle.prove). The functions take the model classes so the migration's
backfill runs on its historical models.
"""
import logging
from collections.abc import Iterable

from django.db.models import Max, Q

from changemgmt.ledger import merkle
from changemgmt.ledger.models import LedgerEntry, MerkleNode

log = logging.getLogger(__name__)
BATCH_SIZE = 5000


class TreeOutOfStep(Exception):
    """The stored tree does not hold exactly the ledger's entries (not backfilled, or the ledger was
    cut short after the tree recorded it): nothing is proved or signed until that is resolved."""


def leaf_count(node_model=MerkleNode) -> int:
    top = node_model.objects.filter(level=0).aggregate(top=Max("index"))["top"]
    return 0 if top is None else top + 1


def _lookup(nodes: set[merkle.Node], node_model=MerkleNode) -> dict[merkle.Node, bytes]:
    """The hashes of those of these perfect subtrees that are stored, in one query."""
    if not nodes:
        return {}
    condition = Q()
    for level, index in nodes:
        condition |= Q(level=level, index=index)
    return {(level, index): bytes.fromhex(hash_)
            for level, index, hash_ in node_model.objects.filter(condition).values_list("level", "index", "hash")}


def fetch(nodes: set[merkle.Node], node_model=MerkleNode) -> dict[merkle.Node, bytes]:
    """The hashes of these perfect subtrees, in one query; TreeOutOfStep if any is missing."""
    found = _lookup(nodes, node_model)
    missing = nodes - set(found)
    if missing:
        raise TreeOutOfStep(f"the Merkle tree lacks {len(missing)} subtree(s), e.g. {min(missing)}: "
                            "run manage.py merkle backfill")
    return found


def _frontier(size: int) -> set[merkle.Node]:
    return set(merkle.perfect_subtrees(0, size)) if size else set()


def _append_leaves(size: int, entry_hashes: Iterable[str], node_model=MerkleNode, known=None) -> int:
    """Add leaves after the first `size` ones (`known`: their frontier, if already read); returns how
    many were added."""
    nodes = {node: known[node] for node in _frontier(size)} if known is not None else fetch(_frontier(size), node_model)
    frontier = [(level, hash_) for (level, _), hash_ in sorted(nodes.items(), key=lambda item: -item[0][0])]
    rows, added = [], 0
    for entry_hash in entry_hashes:
        index, level, hash_ = size + added, 0, merkle.ledger_leaf_hash(entry_hash)
        rows.append(node_model(level=0, index=index, hash=hash_.hex()))
        while frontier and frontier[-1][0] == level:
            hash_ = merkle.node_hash(frontier.pop()[1], hash_)
            level += 1
            rows.append(node_model(level=level, index=index >> level, hash=hash_.hex()))
        frontier.append((level, hash_))
        added += 1
        if len(rows) >= BATCH_SIZE:
            node_model.objects.bulk_create(rows)
            rows = []
    node_model.objects.bulk_create(rows)
    return added


def _entry_hashes(after: int, upto: int | None, entry_model) -> Iterable[str]:
    """entry_hash of entries seq after+1 .. upto (all when upto is None), keyset-paged and contiguous."""
    expected = after + 1
    while upto is None or expected <= upto:
        rows = entry_model.objects.filter(seq__gte=expected).order_by("seq").values_list("seq", "entry_hash")
        if upto is not None:
            rows = rows.filter(seq__lte=upto)
        batch = list(rows[:BATCH_SIZE])
        for seq, entry_hash in batch:
            if seq != expected:
                raise TreeOutOfStep(f"the ledger has no entry with seq {expected}: cannot add later leaves")
            yield entry_hash
            expected += 1
        if len(batch) < BATCH_SIZE:
            return


def backfill(*, entry_model=LedgerEntry, node_model=MerkleNode) -> int:
    """Add a leaf for every ledger entry the tree lacks; idempotent (a second run adds nothing)."""
    size = leaf_count(node_model)
    return _append_leaves(size, _entry_hashes(size, None, entry_model), node_model)


def add_leaf(entry: LedgerEntry) -> LedgerEntry:
    """Record a just-appended entry as leaf seq-1, in the append's transaction (which serializes
    appends): one query reads the frontier of the seq-1 leaves before it (and whether leaf seq-1
    exists already), one inserts the new rows, at any ledger size, the first entry included. A
    lagging tree catches up first; a tree ahead of the ledger (entries cut after it recorded them)
    or a ledger with a gap is left alone and logged: the action still commits, and no tree head is
    signed until the tree matches the ledger again."""
    size = entry.seq - 1
    found = _lookup(_frontier(size) | {(0, size)})
    if (0, size) in found:
        log.error("Merkle tree already holds a leaf for ledger entry %s: not recorded", entry.seq)
        return entry
    try:
        if _frontier(size) <= found.keys():
            _append_leaves(size, [entry.entry_hash], known=found)
        else:
            stored = leaf_count()
            _append_leaves(stored, [*_entry_hashes(stored, size, LedgerEntry), entry.entry_hash])
    except TreeOutOfStep:
        log.exception("Merkle tree not extended to ledger entry %s", entry.seq)
    return entry


def _check_size(size: int) -> None:
    stored = leaf_count()
    if not 0 < size <= stored:
        raise ValueError(f"tree_size must be between 1 and {stored} (the number of ledger entries in the tree)")


def root(size: int) -> bytes:
    _check_size(size)
    return merkle.tree_root(size, fetch)


def inclusion_proof(index: int, size: int) -> list[bytes]:
    _check_size(size)
    return merkle.prove(merkle.inclusion_ranges(index, size), fetch)


def consistency_proof(first: int, second: int) -> list[bytes]:
    _check_size(second)
    return merkle.prove(merkle.consistency_ranges(first, second), fetch)
