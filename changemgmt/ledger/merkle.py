"""Merkle tree math of RFC 9162 (Certificate Transparency v2), standard library only.

The ledger is the list of leaves; a tree head signs the root of its first `size` leaves. An
inclusion proof shows one leaf is in a tree of a given size, a consistency proof shows a tree of
one size is the first part of a tree of a larger size (nothing before it was rewritten). Both are
O(log n) hashes; verifying them needs only the hashes, never the leaves.

Hashes (RFC 9162 §2.1.1): leaf hash = SHA-256(0x00 || leaf), node hash = SHA-256(0x01 || left ||
right), and the root of an empty tree is SHA-256 of nothing. For the audit ledger the leaf is the
32 raw bytes of an entry's `entry_hash` (`ledger_leaf_hash`), so leaf i is the entry with seq i + 1.

Generation works on any store of *perfect subtrees*: the roots of aligned blocks of 2^level leaves
(level, index) covering leaves index * 2^level .. (index + 1) * 2^level - 1. Every range a proof
needs starts on a multiple of a power of two at least its length, so it is a handful of perfect
subtrees folded from the right; `prove` asks the store for all of them at once (one query in
changemgmt.ledger.merkle_store). This file is copied next to merkle_verify.py by auditors: keep it
standard library only.
"""
import hashlib
from collections.abc import Callable, Iterable, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

Range = tuple[int, int]  # leaves start .. end - 1
Node = tuple[int, int]  # (level, index) of a perfect subtree
Fetch = Callable[[set[Node]], dict[Node, bytes]]


def leaf_hash(leaf: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def ledger_leaf_hash(entry_hash_hex: str) -> bytes:
    """The leaf hash of a ledger entry: the leaf is bytes.fromhex(entry_hash) (32 bytes)."""
    return leaf_hash(bytes.fromhex(entry_hash_hex))


def split(n: int) -> int:
    """k of RFC 9162 §2.1.1: the largest power of two smaller than n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def root_of_hashes(hashes: Sequence[bytes]) -> bytes:
    """MTH over leaves whose leaf hashes are given, by the recursive definition (tests, small trees)."""
    if not hashes:
        return EMPTY_ROOT
    if len(hashes) == 1:
        return hashes[0]
    k = split(len(hashes))
    return node_hash(root_of_hashes(hashes[:k]), root_of_hashes(hashes[k:]))


def perfect_subtrees(start: int, end: int) -> list[Node]:
    """The perfect subtrees that make up leaves start..end-1, left to right (largest first). `start`
    must be a multiple of a power of two >= end - start, as every range of RFC 9162's recursion is."""
    if start >= end or start % (1 << (end - start - 1).bit_length()):
        raise ValueError(f"leaves {start}..{end - 1} are not an aligned range")
    nodes = []
    while start < end:
        level = (end - start).bit_length() - 1
        nodes.append((level, start >> level))
        start += 1 << level
    return nodes


def range_root(span: Range, nodes: dict[Node, bytes]) -> bytes:
    """MTH of the leaves in `span` from its perfect subtrees: MTH(D[a:b]) = H(first part, MTH(rest))."""
    parts = [nodes[node] for node in perfect_subtrees(*span)]
    root = parts[-1]
    for part in reversed(parts[:-1]):
        root = node_hash(part, root)
    return root


def inclusion_ranges(index: int, size: int) -> list[Range]:
    """The ranges whose roots form PATH(index, D[0:size]) (RFC 9162 §2.1.3.1), in proof order."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size}")
    ranges, start, end = [], 0, size
    while end - start > 1:
        k = split(end - start)
        if index - start < k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start += k
    return ranges[::-1]


def consistency_ranges(first: int, second: int) -> list[Range]:
    """The ranges whose roots form PROOF(first, D[0:second]) (RFC 9162 §2.1.4.1), in proof order."""
    if not 0 < first <= second:
        raise ValueError(f"no consistency proof from a tree of {first} to a tree of {second}")
    ranges, start, end, m, whole = [], 0, second, first, True
    while end - start != m:
        k = split(end - start)
        if m <= k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start, m, whole = start + k, m - k, False
    if not whole:
        ranges.append((start, end))
    return ranges[::-1]


def prove(ranges: Iterable[Range], fetch: Fetch) -> list[bytes]:
    """The root of each range, fetching every perfect subtree they need in one call."""
    ranges = list(ranges)
    nodes = fetch({node for span in ranges for node in perfect_subtrees(*span)})
    return [range_root(span, nodes) for span in ranges]


def tree_root(size: int, fetch: Fetch) -> bytes:
    return prove([(0, size)], fetch)[0] if size else EMPTY_ROOT


def _well_formed(proof: Sequence[bytes]) -> bool:
    return all(isinstance(item, bytes) and len(item) == HASH_SIZE for item in proof)


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> bool:
    """RFC 9162 §2.1.3.2: does `proof` show the leaf hash `leaf` at `index` in the tree of `size` with `root`?"""
    if not 0 <= index < size or not _well_formed(proof):
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def verify_consistency(first: int, second: int, first_root: bytes, second_root: bytes,
                       proof: Sequence[bytes]) -> bool:
    """RFC 9162 §2.1.4.2: is the tree of `first` leaves with `first_root` the start of the tree of
    `second` leaves with `second_root`? Equal sizes need an empty proof and equal roots; a tree of 0
    is consistent with nothing else (as in transparency-dev/merkle)."""
    if not 0 <= first <= second or not _well_formed(proof):
        return False
    if first == second:
        return not proof and first_root == second_root
    if first == 0 or not proof:
        return False
    path = [first_root, *proof] if first & (first - 1) == 0 else list(proof)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == first_root and sr == second_root and sn == 0
