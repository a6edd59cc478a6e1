#!/usr/bin/env python3
"""Standalone checks of the ledger's Merkle proofs against tree heads an auditor kept: no export,
no database, standard library only (checking a head's signature needs `cryptography`, imported
only with --public-key). Copy this file with `merkle.py` and `ledger_verifier.py` into one folder:

    python3 merkle_verify.py inclusion --proof proof.json --tree-head head.json [--entry entry.json] \
        [--public-key ledger-key.pem]
    python3 merkle_verify.py consistency --old old-head.json --new new-head.json --proof proof.json \
        [--public-key ledger-key.pem]

(or `python -m changemgmt.ledger.merkle_verify ...` in the project). Exit 0 ok, 1 failed, 2 usage error.

inclusion: the entry (an export line, or the `entry` inside the proof document) hashes to its
entry_hash, its leaf hash (SHA-256 of 0x00 and the 32 bytes of entry_hash) is at leaf seq - 1, and
the proof leads to the kept head's root_hash at the head's tree_size (RFC 9162 §2.1.3.2).
consistency: the old head's tree is the first part of the new head's tree (RFC 9162 §2.1.4.2), so
no entry signed in the old head was changed, removed or reordered since.

A tree head is {"tree_size", "root_hash", "timestamp" (ms since the epoch), "algorithm": "ed25519",
"key_id", "signature"}: signature = hex Ed25519 signature of tree_head_message(head) by the key of
`manage.py ledger public-key`. The server imports tree_head_message from here, so both sides sign
and check the same bytes.
"""
import argparse
import json
import sys
from pathlib import Path

if __package__:  # inside the project: python -m changemgmt.ledger.merkle_verify, or imported by the server
    from changemgmt.ledger import merkle
    from changemgmt.ledger import verifier as ledger_verifier
else:  # a plain file copied next to its two siblings (also under python -I)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import ledger_verifier
    import merkle

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
SIGNATURE_ALGORITHM = ledger_verifier.SIGNATURE_ALGORITHM


def tree_head_message(head: dict) -> bytes:
    return f"changemgmt-ledger-tree-head:v1:{head['tree_size']}:{head['timestamp']}:{head['root_hash']}".encode()


def head_signature_valid(public_key, head: dict) -> bool:
    from cryptography.exceptions import InvalidSignature

    if head.get("algorithm") != SIGNATURE_ALGORITHM:
        return False
    try:
        public_key.verify(bytes.fromhex(str(head.get("signature", ""))), tree_head_message(head))
    except (InvalidSignature, ValueError, KeyError):  # KeyError: a field of the message is missing
        return False
    return True


class UsageError(Exception):
    """A file that cannot be read or is not the document it should be: exit 2."""


def _hashes(values, what: str) -> list[bytes]:
    if not isinstance(values, list) or not all(isinstance(v, str) and ledger_verifier.HASH_FORMAT.fullmatch(v)
                                               for v in values):
        raise UsageError(f"{what} is not a list of 64-hex-digit hashes")
    return [bytes.fromhex(v) for v in values]


def _size(document: dict, name: str, what: str) -> int:
    value = document.get(name)
    if type(value) is not int or value < 0:
        raise UsageError(f"{what} has no {name} (a non-negative integer)")
    return value


def _root(head: dict, what: str) -> bytes:
    value = head.get("root_hash")
    if not isinstance(value, str) or not ledger_verifier.HASH_FORMAT.fullmatch(value):
        raise UsageError(f"{what} has no root_hash (64 lowercase hex digits)")
    return bytes.fromhex(value)


def check_inclusion(entry: dict, proof: dict, head: dict) -> str | None:
    """Why the entry is not proven to be in the head's tree, or None when it is."""
    tree_size = _size(head, "tree_size", "the tree head")
    if _size(proof, "tree_size", "the proof") != tree_size:
        return f"the proof is for a tree of {proof['tree_size']} entries, the tree head signs {tree_size}"
    if not isinstance(entry, dict) or type(entry.get("seq")) is not int:
        return "the entry is not a ledger entry with an integer seq"
    try:
        if ledger_verifier.entry_hash(entry) != entry.get("entry_hash"):
            return f"entry seq {entry['seq']}: entry_hash does not match its content (the entry was edited)"
    except (KeyError, TypeError):
        return f"entry seq {entry['seq']}: missing or malformed fields"
    if entry["seq"] > tree_size:
        return f"entry seq {entry['seq']} is after the tree head's {tree_size} entries"
    leaf = merkle.ledger_leaf_hash(entry["entry_hash"])
    if not merkle.verify_inclusion(leaf, entry["seq"] - 1, tree_size, _hashes(proof.get("proof"), "proof"),
                                   _root(head, "the tree head")):
        return (f"entry seq {entry['seq']} is not in the tree of {tree_size} entries signed by the head "
                "(wrong proof, or the entry or the head was altered)")
    return None


def check_consistency(old: dict, new: dict, proof: dict) -> str | None:
    """Why the new head does not extend the old one, or None when it does."""
    first, second = _size(old, "tree_size", "the old head"), _size(new, "tree_size", "the new head")
    if (proof.get("first"), proof.get("second")) != (first, second):
        return (f"the proof is from {proof.get('first')} to {proof.get('second')} entries, "
                f"the heads are {first} and {second}")
    if first > second:
        return f"the old head ({first} entries) is larger than the new one ({second}): the ledger shrank"
    if not merkle.verify_consistency(first, second, _root(old, "the old head"), _root(new, "the new head"),
                                     _hashes(proof.get("proof"), "proof")):
        return (f"the tree of {second} entries does not extend the tree of {first}: entries 1..{first} "
                "were rewritten between the two heads (or a head or the proof was altered)")
    return None


def _load(path: str, what: str) -> dict:
    try:
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
    except (OSError, ValueError) as error:
        raise UsageError(f"cannot read {what} {path}: {error}") from error
    if not isinstance(document, dict):
        raise UsageError(f"{path} is not a JSON object ({what})")
    return document


def _check_signatures(key_path: str | None, heads: dict[str, dict]) -> str | None:
    if key_path is None:
        return None
    # The file may hold the current key and retired ones (after a rotation): a head signed by any counts.
    public_keys = ledger_verifier.read_public_keys(key_path)
    for name, head in heads.items():
        if not any(head_signature_valid(key, head) for key in public_keys):
            given = ", ".join(ledger_verifier.public_key_id(key) for key in public_keys)
            return (f"{name}: signature does not match (altered tree head, or signed by key {head.get('key_id')}, "
                    f"not {given})")
    return None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="Check ledger Merkle proofs against kept tree heads. "
                                                 "Exit 0 ok, 1 failed, 2 usage error.")
    commands = parser.add_subparsers(dest="command", required=True)
    inclusion = commands.add_parser("inclusion", help="an entry is in the tree a kept head signs")
    inclusion.add_argument("--proof", required=True, help="from manage.py merkle inclusion-proof or the API")
    inclusion.add_argument("--tree-head", required=True, help="a kept tree head (JSON)")
    inclusion.add_argument("--entry", help="the entry (a line of the export); default: the proof's `entry`")
    consistency = commands.add_parser("consistency", help="a newer kept head extends an older one")
    consistency.add_argument("--old", required=True, help="the older tree head (JSON)")
    consistency.add_argument("--new", required=True, help="the newer tree head (JSON)")
    consistency.add_argument("--proof", required=True, help="from manage.py merkle consistency-proof or the API")
    for command in (inclusion, consistency):
        command.add_argument("--public-key", metavar="PEM",
                             help="check the heads' signatures with this public key (needs cryptography)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        proof = _load(args.proof, "proof")
        if args.command == "inclusion":
            heads = {args.tree_head: _load(args.tree_head, "tree head")}
            entry = _load(args.entry, "entry") if args.entry else proof.get("entry")
            problem = _check_signatures(args.public_key, heads) or check_inclusion(entry, proof, heads[args.tree_head])
            success = f"entry seq {(entry or {}).get('seq')} is in the tree of {proof.get('tree_size')} entries"
        else:
            heads = {args.old: _load(args.old, "old tree head"), args.new: _load(args.new, "new tree head")}
            problem = _check_signatures(args.public_key, heads) or check_consistency(heads[args.old], heads[args.new],
                                                                                      proof)
            success = f"the tree of {proof.get('second')} entries extends the tree of {proof.get('first')}"
    except (UsageError, ledger_verifier.UsageError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    if problem:
        print(f"FAILED: {problem}")
        return EXIT_FAILED
    signed = "signatures valid" if args.public_key else "signatures NOT checked (no --public-key)"
    print(f"OK: {success} ({signed})")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
