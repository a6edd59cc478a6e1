"""The evidence pack of one change: one zip an auditor verifies offline (issue 11 §3).

It holds the change record, every approval decision (who, when, on behalf of whom, how), test
evidence, rollback records, pipeline gate decisions with their attestations, emergency
authorizations and paperwork, the CAB items, decisions and minutes excerpts about the change, the
field history of each record, and the change's ledger entries (CAB entries included), each with an
inclusion proof against one signed tree head, which is in the pack too. When no signed head covers
the change's last entry, one is signed through changemgmt.ledger.tree_heads (the only write here)."""
import io
import json
import zipfile
from collections import defaultdict

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q
from django.forms.models import model_to_dict

from approvals.models import ApprovalSlot
from audit.selectors import change_history
from cab.models import AgendaItem
from changemgmt.ledger import merkle, merkle_store, tree_heads
from changemgmt.ledger.models import MerkleNode, TreeHead
from changes.emergency.models import EmergencyAuthorization, EmergencyReview
from changes.models import ChangeRequest, RollbackRecord, TestEvidence
from changes.pipeline.models import GateDecision

README = """Evidence pack of {reference} ({title})

Files
  change.json            the change record as it is now
  approvals.json         every approval decision: who, when, on behalf of whom, how, why
  test_evidence.json     the recorded test evidence
  rollbacks.json         rollback records
  gate_decisions.json    pipeline gate decisions, with the DSSE attestation of each allow
  emergency.json         emergency authorizations and the 24-hour paperwork (emergency changes)
  cab.json               CAB agenda items about the change, the board's decisions and minutes excerpts
  field_history.json     every historical version of the records above (django-simple-history)
  ledger/entries.jsonl   the change's ledger entries (CAB entries about it included), as the export writes them
  ledger/tree_head.json  the signed tree head every proof below is checked against ({tree_size} entries)
  ledger/proofs/<seq>.json  one inclusion proof per entry

How to verify, offline and without the whole ledger
  1. Copy changemgmt/ledger/merkle_verify.py, changemgmt/ledger/merkle.py and
     changemgmt/ledger/verifier.py (as ledger_verifier.py) into one folder (Python 3.11+).
  2. Fetch the instance's public key once (/.well-known/changemgmt-ledger-key.pem) and keep it.
  3. For each proof:
       python3 merkle_verify.py inclusion --proof ledger/proofs/<seq>.json \\
           --tree-head ledger/tree_head.json --public-key ledger-key.pem
     Exit 0: the entry, unaltered, is in the tree the head signs; 1: it is not (the reason is printed).
  4. Check that this head extends a head you kept earlier (merkle_verify.py consistency, with a
     proof from GET /api/ledger/consistency-proof/?first=<kept size>&second={tree_size}).
The JSON records other than the ledger entries are the database's view when the pack was built;
the ledger entries and proofs are what makes them checkable.
"""


def _dump(value) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False, sort_keys=True)


def _rows(queryset) -> list[dict]:
    """Every stored column (the non-editable times included, which model_to_dict leaves out)."""
    return list(queryset.values())


def _record(change) -> dict:
    return (_rows(ChangeRequest.objects.filter(pk=change.pk))[0]
            | {"reference": change.reference,
               "services": list(change.services.values_list("name", flat=True)),
               "configuration_items": [str(item) for item in change.configuration_items.all()]})


def _history(model, **filters) -> list[dict]:
    return list(model.history.filter(**filters).order_by("history_date", "history_id").values())


def _approvals(change, entries) -> list[dict]:
    by_slot = {e.payload.get("slot_id"): e for e in entries if e.action in ("approval.granted", "approval.rejected")}
    decided = []
    for slot in change.approval_slots.select_related("decided_by", "on_behalf_of").order_by("id"):
        entry = by_slot.get(slot.pk)
        how = "by the CAB" if entry and entry.payload.get("by") == "cab" else (
            "by delegation" if slot.on_behalf_of_id else "in person" if slot.decided_by_id else "")
        decided.append({"slot": f"{slot.role}#{slot.ordinal}", "rule": slot.rule, "policy": slot.policy,
                        "status": slot.status, "decided_by": slot.decided_by.username if slot.decided_by else None,
                        "decided_at": slot.decided_at, "on_behalf_of": slot.on_behalf_of.username
                        if slot.on_behalf_of else None, "how": how, "reason": slot.reason,
                        "ledger_seq": entry.seq if entry else None})
    return decided


def _cab(change) -> list[dict]:
    items = AgendaItem.objects.filter(change=change).select_related("meeting", "meeting__minutes", "decision")
    found = []
    for item in items.order_by("id"):
        minutes = getattr(item.meeting, "minutes", None)
        body = minutes.body if minutes and minutes.published_at else ""
        decision = getattr(item, "decision", None)
        found.append({"meeting": str(item.meeting), "meeting_id": item.meeting_id, "item": item.title,
                      "decision": model_to_dict(decision) if decision else None,
                      "minutes_published_at": minutes.published_at if minutes else None,
                      "minutes_sha256": minutes.body_sha256 if minutes else "",
                      "minutes_excerpt": [line for line in body.splitlines() if change.reference in line]})
    return found


def covering_head(last_seq: int, actor) -> TreeHead:
    """The latest signed tree head, signing a new one when it does not cover entry `last_seq`."""
    head = TreeHead.objects.order_by("-tree_size").first()
    if head is None or head.tree_size < last_seq:
        head = tree_heads.sign_tree_head(actor=actor)
    return head


def _subtrees(wanted: set) -> dict:
    """The stored hashes of these perfect subtrees in one query, one `index IN (…)` per level (about
    log2 n levels), rather than one condition per node; TreeOutOfStep when one is missing."""
    by_level = defaultdict(list)
    for level, index in wanted:
        by_level[level].append(index)
    condition = Q()
    for level, indexes in by_level.items():
        condition |= Q(level=level, index__in=indexes)
    found = {(level, index): bytes.fromhex(hash_) for level, index, hash_ in
             MerkleNode.objects.filter(condition).values_list("level", "index", "hash")} if wanted else {}
    if len(found) != len(wanted):
        raise merkle_store.TreeOutOfStep("the Merkle tree lacks subtrees this pack's proofs need: run manage.py "
                                         "merkle backfill")
    return found


def inclusion_documents(entries, head: TreeHead) -> list[dict]:
    """`tree_heads.inclusion_document` for every entry at once, equal document for document: every
    stored subtree all the proofs need is read in a few queries, not two per entry (bench_evidence.py)."""
    size = head.tree_size
    if not 0 < size <= merkle_store.leaf_count():
        raise merkle_store.TreeOutOfStep(f"the Merkle tree holds fewer than {size} leaves: run manage.py merkle "
                                         "backfill")
    ranges = {entry.seq: merkle.inclusion_ranges(entry.seq - 1, size) for entry in entries}
    wanted = {node for spans in ranges.values() for span in spans for node in merkle.perfect_subtrees(*span)}
    nodes = _subtrees(wanted)
    head_document = tree_heads.head_document(head)
    documents = []
    for entry in entries:
        exported = tree_heads._exported(entry)
        documents.append({"seq": entry.seq, "leaf_index": entry.seq - 1, "tree_size": size,
                          "leaf_hash": merkle.ledger_leaf_hash(entry.entry_hash).hex(),
                          "proof": [merkle.range_root(span, nodes).hex() for span in ranges[entry.seq]],
                          "entry": exported, "tree_head": head_document})
    return documents


def build(change: ChangeRequest, actor) -> bytes:
    entries = change_history(change)
    head = covering_head(entries[-1].seq, actor) if entries else None
    files = {
        "change.json": _record(change),
        "approvals.json": _approvals(change, entries),
        "test_evidence.json": _rows(TestEvidence.objects.filter(change=change).order_by("id")),
        "rollbacks.json": _rows(RollbackRecord.objects.filter(change=change).order_by("id")),
        "gate_decisions.json": _rows(GateDecision.objects.filter(change=change).order_by("decided_at")),
        "emergency.json": {"authorizations": _rows(EmergencyAuthorization.objects.filter(change=change)
                                                   .order_by("id")),
                           "paperwork": _rows(EmergencyReview.objects.filter(change=change))},
        "cab.json": _cab(change),
        "field_history.json": {
            "change": _history(ChangeRequest, id=change.pk),
            "approval_slots": _history(ApprovalSlot, change_id=change.pk),
            "test_evidence": _history(TestEvidence, change_id=change.pk),
            "rollbacks": _history(RollbackRecord, change_id=change.pk)},
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, _dump(content))
        proofs = inclusion_documents(entries, head) if head is not None else []
        archive.writestr("ledger/entries.jsonl", "".join(json.dumps(p["entry"], ensure_ascii=False) + "\n"
                                                         for p in proofs))
        for proof in proofs:
            archive.writestr(f"ledger/proofs/{proof['seq']}.json", _dump(proof))
        if head is not None:
            archive.writestr("ledger/tree_head.json", _dump(tree_heads.head_document(head)))
        archive.writestr("README.txt", README.format(reference=change.reference, title=change.title,
                                                     tree_size=head.tree_size if head else 0))
    return buffer.getvalue()
