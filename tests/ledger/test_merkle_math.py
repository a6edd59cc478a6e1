"""RFC 9162 Merkle math (changemgmt.ledger.merkle): the published vectors of transparency-dev/merkle
(RFC 6962 hashing, which RFC 9162 keeps), and every tree size up to 64 against the RFC's recursive
definitions, each proof verifying and every corrupted one failing."""
import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from changemgmt.ledger import merkle

# transparency-dev/merkle testonly/constants.go: LeafInputs, RootHashes (sizes 1..8).
LEAVES = [bytes.fromhex(h) for h in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                                     "606162636465666768696a6b6c6d6e6f")]
ROOTS = ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
         "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
         "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
         "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
         "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
         "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
         "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
         "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"]
# proof/verify_test.go: (1-based leaf, size, proof) and (size1, size2, proof).
INCLUSION = [
    (1, 1, []),
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (3, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (2, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]
CONSISTENCY = [
    (1, 1, []),
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
    (6, 7, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
]


def in_memory(leaf_hashes):
    """A `fetch` over a list of leaf hashes: each perfect subtree computed by the recursive MTH."""
    def fetch(nodes):
        return {(level, index): merkle.root_of_hashes(leaf_hashes[index << level:(index + 1) << level])
                for level, index in nodes}
    return fetch


def rfc_path(m, hashes):
    """PATH(m, D[n]) exactly as RFC 9162 §2.1.3.1 writes it."""
    if len(hashes) == 1:
        return []
    k = merkle.split(len(hashes))
    if m < k:
        return rfc_path(m, hashes[:k]) + [merkle.root_of_hashes(hashes[k:])]
    return rfc_path(m - k, hashes[k:]) + [merkle.root_of_hashes(hashes[:k])]


def rfc_subproof(m, hashes, whole):
    """SUBPROOF(m, D[n], b) exactly as RFC 9162 §2.1.4.1 writes it."""
    if m == len(hashes):
        return [] if whole else [merkle.root_of_hashes(hashes)]
    k = merkle.split(len(hashes))
    if m <= k:
        return rfc_subproof(m, hashes[:k], whole) + [merkle.root_of_hashes(hashes[k:])]
    return rfc_subproof(m - k, hashes[k:], False) + [merkle.root_of_hashes(hashes[:k])]


VECTOR_HASHES = [merkle.leaf_hash(leaf) for leaf in LEAVES]
HASHES_64 = [merkle.leaf_hash(i.to_bytes(2, "big")) for i in range(64)]


def test_empty_tree_root_is_the_hash_of_nothing():
    assert merkle.EMPTY_ROOT.hex() == hashlib.sha256(b"").hexdigest()
    assert merkle.root_of_hashes([]) == merkle.tree_root(0, in_memory([])) == merkle.EMPTY_ROOT


@pytest.mark.parametrize("size", range(1, 9))
def test_roots_match_the_published_vectors(size):
    assert merkle.root_of_hashes(VECTOR_HASHES[:size]).hex() == ROOTS[size - 1]
    assert merkle.tree_root(size, in_memory(VECTOR_HASHES)).hex() == ROOTS[size - 1]


@pytest.mark.parametrize(("leaf", "size", "proof"), INCLUSION)
def test_inclusion_proofs_match_the_published_vectors(leaf, size, proof):
    generated = merkle.prove(merkle.inclusion_ranges(leaf - 1, size), in_memory(VECTOR_HASHES))
    assert [h.hex() for h in generated] == proof
    assert merkle.verify_inclusion(VECTOR_HASHES[leaf - 1], leaf - 1, size, generated, bytes.fromhex(ROOTS[size - 1]))


@pytest.mark.parametrize(("first", "second", "proof"), CONSISTENCY)
def test_consistency_proofs_match_the_published_vectors(first, second, proof):
    generated = merkle.prove(merkle.consistency_ranges(first, second), in_memory(VECTOR_HASHES))
    assert [h.hex() for h in generated] == proof
    assert merkle.verify_consistency(first, second, bytes.fromhex(ROOTS[first - 1]), bytes.fromhex(ROOTS[second - 1]),
                                     generated)


def corruptions(proof):
    """Each way of forging a proof: one bit flipped in any hash, one hash dropped, added or repeated."""
    for i in range(len(proof)):
        yield [*proof[:i], bytes([proof[i][0] ^ 1]) + proof[i][1:], *proof[i + 1:]]
    if proof:
        yield proof[:-1]
        yield [proof[0], *proof]
    yield [*proof, merkle.EMPTY_ROOT]


def test_every_inclusion_proof_up_to_64_leaves_is_the_rfc_path_and_verifies_only_intact():
    fetch = in_memory(HASHES_64)
    for size in range(1, 65):
        root = merkle.root_of_hashes(HASHES_64[:size])
        for index in range(size):
            proof = merkle.prove(merkle.inclusion_ranges(index, size), fetch)
            assert proof == rfc_path(index, HASHES_64[:size]), (index, size)
            assert merkle.verify_inclusion(HASHES_64[index], index, size, proof, root)
            assert not any(merkle.verify_inclusion(HASHES_64[index], index, size, forged, root)
                           for forged in corruptions(proof)), (index, size)
            other = (index + 1) % size
            if other != index:
                assert not merkle.verify_inclusion(HASHES_64[other], index, size, proof, root)
                assert not merkle.verify_inclusion(HASHES_64[index], other, size, proof, root)


def test_every_consistency_proof_up_to_64_leaves_is_the_rfc_proof_and_verifies_only_intact():
    fetch = in_memory(HASHES_64)
    roots = [merkle.root_of_hashes(HASHES_64[:size]) for size in range(65)]
    for second in range(1, 65):
        for first in range(1, second + 1):
            proof = merkle.prove(merkle.consistency_ranges(first, second), fetch)
            assert proof == rfc_subproof(first, HASHES_64[:second], True), (first, second)
            assert merkle.verify_consistency(first, second, roots[first], roots[second], proof)
            if first == second:
                continue
            assert not any(merkle.verify_consistency(first, second, roots[first], roots[second], forged)
                           for forged in corruptions(proof)), (first, second)
            assert not merkle.verify_consistency(first, second, roots[second], roots[first], proof)


def test_a_rewritten_history_is_not_consistent_with_the_old_root():
    rewritten = [*HASHES_64[:10], merkle.leaf_hash(b"rewritten"), *HASHES_64[11:40]]
    old_root = merkle.root_of_hashes(HASHES_64[:20])
    proof = merkle.prove(merkle.consistency_ranges(20, 40), in_memory(rewritten))
    assert not merkle.verify_consistency(20, 40, old_root, merkle.root_of_hashes(rewritten), proof)


@pytest.mark.parametrize(("first", "second", "proof", "ok"), [
    (0, 0, [], True), (0, 5, [], False), (5, 4, [], False), (3, 5, [], False), (5, 5, [merkle.EMPTY_ROOT], False)])
def test_consistency_edge_cases_follow_transparency_dev(first, second, proof, ok):
    root = merkle.EMPTY_ROOT
    assert merkle.verify_consistency(first, second, root, root, proof) is ok


def test_out_of_range_requests_are_refused():
    with pytest.raises(ValueError):
        merkle.inclusion_ranges(5, 5)
    with pytest.raises(ValueError):
        merkle.consistency_ranges(6, 5)
    with pytest.raises(ValueError):
        merkle.perfect_subtrees(3, 5)  # not aligned: no proof asks for it
    assert not merkle.verify_inclusion(HASHES_64[0], 0, 0, [], HASHES_64[0])
    assert not merkle.verify_inclusion(HASHES_64[0], 0, 2, [b"short"], HASHES_64[0])


@given(st.integers(min_value=1, max_value=2**40), st.data())
def test_proofs_of_huge_trees_need_logarithmically_many_subtrees(size, data):
    index = data.draw(st.integers(min_value=0, max_value=size - 1))
    first = data.draw(st.integers(min_value=1, max_value=size))
    depth = max(1, (size - 1).bit_length())
    for ranges in (merkle.inclusion_ranges(index, size), merkle.consistency_ranges(first, size)):
        assert len(ranges) <= depth + 1
        assert len({node for span in ranges for node in merkle.perfect_subtrees(*span)}) <= 2 * depth + 1
