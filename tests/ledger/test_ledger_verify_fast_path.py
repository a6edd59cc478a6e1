"""The database walk (`shape_known`, no per-entry shape check) stops at the same entry as the full check
for every kind of tampering, including hashes that are not 64 lowercase hex digits."""
import pytest

from changemgmt.ledger.verifier import GENESIS_HASH, check_chain, entry_hash


def _chain(length=6):
    entries, prev = [], GENESIS_HASH
    for seq in range(1, length + 1):
        entry = {"seq": seq, "recorded_at": f"2026-01-05T14:00:0{seq}.000000Z", "actor": "alice",
                 "action": "change.submit", "subject": f"changes.changerequest:{seq}",
                 "payload": {"b": [1, {"z": 2, "a": "é"}], "a": None}, "prev_hash": prev}
        entry["entry_hash"] = prev = entry_hash(entry)
        entries.append(entry)
    return entries


def _edit(entries, index, **changes):
    entries[index] = {**entries[index], **changes}
    return entries


TAMPERINGS = {
    "intact": lambda e: e,
    "edited payload": lambda e: _edit(e, 2, payload={"a": 1}),
    "edited time": lambda e: _edit(e, 3, recorded_at="2026-01-05T14:00:09.000000Z"),
    "deleted": lambda e: e[:2] + e[3:],
    "reordered": lambda e: [e[0], e[2], e[1], *e[3:]],
    "repeated": lambda e: e[:3] + e[2:],
    "uppercase hash": lambda e: _edit(e, 1, entry_hash=e[1]["entry_hash"].upper()),
    "short prev hash": lambda e: _edit(e, 0, prev_hash="0" * 63),
    "rehashed edit": lambda e: _edit(e, 4, actor="mallory", entry_hash=entry_hash({**e[4], "actor": "mallory"})),
    "truncated before checkpoint": lambda e: e[:4],
}


@pytest.mark.parametrize("name", TAMPERINGS)
def test_fast_path_finds_what_the_full_check_finds(name):
    original = _chain()
    checkpoints = [{"seq": 6, "entry_hash": original[5]["entry_hash"]}]
    entries = TAMPERINGS[name](list(original))
    full = check_chain(((None, entry) for entry in entries), checkpoints)
    fast = check_chain(((None, entry) for entry in entries), checkpoints, shape_known=True)
    assert (fast.entries, fast.head_seq, fast.head_hash) == (full.entries, full.head_seq, full.head_hash)
    assert (fast.problem is None) == (full.problem is None) == (name == "intact")
    if full.problem:
        assert fast.problem.seq == full.problem.seq
