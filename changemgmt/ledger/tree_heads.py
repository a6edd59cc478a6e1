"""Signed tree heads and the proof documents auditors check them with (API, commands, beat task).

A tree head signs the root of the first `tree_size` ledger entries with the instance's Ed25519 key
and is recorded by one ledger entry ("tree_head.signed") in the same transaction, so the next head
covers the previous signing too. The documents are exactly what changemgmt/ledger/merkle_verify.py reads.
"""
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from changemgmt.ledger import merkle, merkle_store, signing_key
from changemgmt.ledger import services as ledger
from changemgmt.ledger.merkle_verify import tree_head_message
from changemgmt.ledger.models import LedgerEntry, MerkleNode, TreeHead
from changemgmt.ledger.verifier import SIGNATURE_ALGORITHM

SIGNED_ACTION = "tree_head.signed"


class NothingToSign(Exception):
    """The ledger is empty, or (for the periodic job) nothing but the last signing was appended since."""


def head_document(head: TreeHead) -> dict:
    return {"tree_size": head.tree_size, "root_hash": head.root_hash, "timestamp": head.timestamp,
            "algorithm": head.algorithm, "key_id": head.key_id, "signature": head.signature}


def grown_since_last_head() -> bool:
    """True when an entry other than a signing was appended after the latest head."""
    latest = TreeHead.objects.values_list("tree_size", flat=True).first()
    entries = LedgerEntry.objects.all() if latest is None else LedgerEntry.objects.filter(seq__gt=latest)
    return entries.exclude(action=SIGNED_ACTION).exists()


def _checked_size() -> int:
    """The tree's size, after checking it holds exactly the ledger's entries, the last one included."""
    size = merkle_store.leaf_count()
    last = LedgerEntry.objects.order_by("-seq").values("seq", "entry_hash").first()
    if last is None:
        raise NothingToSign("the ledger has no entries yet; nothing to sign")
    leaf = MerkleNode.objects.filter(level=0, index=last["seq"] - 1).values_list("hash", flat=True).first()
    if size != last["seq"] or leaf != merkle.ledger_leaf_hash(last["entry_hash"]).hex():
        raise merkle_store.TreeOutOfStep(f"the Merkle tree holds {size} leaves but the ledger ends at seq "
                                         f"{last['seq']} (or its last leaf differs): run manage.py merkle backfill")
    return size


@transaction.atomic
def sign_tree_head(*, actor=None, only_if_grown: bool = False) -> TreeHead:
    """Sign the root of the whole tree now and record the signing in the ledger. `only_if_grown`
    (the periodic job) refuses with NothingToSign when nothing but signings happened since."""
    if only_if_grown and not grown_since_last_head():
        raise NothingToSign("no ledger entries since the last tree head")
    size = _checked_size()
    fields = {"tree_size": size, "root_hash": merkle_store.root(size).hex(),
              "timestamp": int(timezone.now().timestamp() * 1000)}
    try:
        with transaction.atomic():
            head = TreeHead.objects.create(**fields, algorithm=SIGNATURE_ALGORITHM, key_id=signing_key.key_id(),
                                           signature=signing_key.sign(tree_head_message(fields)))
    except IntegrityError as error:  # a concurrent signer took this size first
        raise NothingToSign(f"a tree head of {size} entries was just signed by another process") from error
    ledger.append(actor=actor, action=SIGNED_ACTION, subject=head,
                  payload={**fields, "key_id": head.key_id})
    return head


def _integer(params: dict, name: str, *, required: bool = True) -> int | None:
    value = params.get(name)
    if value in (None, "") and not required:
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError({name: ["Must be a positive integer."]}) from None
    if number < 1:
        raise ValidationError({name: ["Must be a positive integer."]})
    return number


def _size_within_tree(name: str, size: int) -> None:
    stored = merkle_store.leaf_count()
    if size > stored:
        raise ValidationError({name: [f"The tree holds {stored} entries; {size} is beyond it."]})


def _exported(entry: LedgerEntry) -> dict:
    """The entry as `manage.py ledger export` writes it (what the verifier rehashes)."""
    return {"seq": entry.seq, "recorded_at": ledger.format_time(entry.recorded_at), "actor": entry.actor_name,
            "action": entry.action, "subject": entry.subject, "payload": entry.payload,
            "prev_hash": entry.prev_hash, "entry_hash": entry.entry_hash}


def inclusion_document(seq: int, params: dict) -> dict:
    """The proof that entry `seq` is in the tree of `tree_size` entries (default: the latest signed
    head's size), with the entry itself and the signed head of that size if there is one."""
    tree_size = _integer(params, "tree_size", required=False)
    if tree_size is None:
        tree_size = TreeHead.objects.values_list("tree_size", flat=True).first()
        if tree_size is None:
            raise ValidationError({"tree_size": ["No tree head has been signed yet; name a tree size."]})
    _size_within_tree("tree_size", tree_size)
    if seq > tree_size:
        raise ValidationError({"tree_size": [f"Entry {seq} is not in a tree of {tree_size} entries."]})
    entry = _exported(LedgerEntry.objects.get(seq=seq))
    head = TreeHead.objects.filter(tree_size=tree_size).first()
    return {"seq": seq, "leaf_index": seq - 1, "tree_size": tree_size,
            "leaf_hash": merkle.ledger_leaf_hash(entry["entry_hash"]).hex(),
            "proof": [h.hex() for h in merkle_store.inclusion_proof(seq - 1, tree_size)],
            "entry": entry,
            "tree_head": head_document(head) if head else None}


def consistency_document(params: dict, *, first: str = "first", second: str = "second") -> dict:
    """The proof that the tree of `first` entries is the start of the tree of `second` entries."""
    old, new = _integer(params, first), _integer(params, second)
    if old > new:
        raise ValidationError({first: [f"Must not exceed {second} ({new})."]})
    _size_within_tree(second, new)
    return {"first": old, "second": new,
            "proof": [h.hex() for h in merkle_store.consistency_proof(old, new)]}
