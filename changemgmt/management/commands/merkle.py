"""`manage.py merkle tree-head|inclusion-proof|consistency-proof|backfill`: the ledger's Merkle tree
for operators and auditors. Each prints the JSON document changemgmt/ledger/merkle_verify.py reads.

tree-head signs the root of the whole ledger now (and records the signing in the ledger);
inclusion-proof and consistency-proof print proofs; backfill adds the leaves the tree lacks
(idempotent: a second run adds nothing).
"""
import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from changemgmt.ledger import merkle_store
from changemgmt.ledger import tree_heads as merkle_heads
from changemgmt.models import LedgerEntry


class Command(BaseCommand):
    help = "Sign tree heads, print Merkle proofs, or backfill the ledger's Merkle tree."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True,
                                         metavar="{tree-head,inclusion-proof,consistency-proof,backfill}")
        commands.add_parser("tree-head", help="sign the current root and print the tree head JSON auditors keep")
        inclusion = commands.add_parser("inclusion-proof", help="prove entry N is in the tree of M entries")
        inclusion.add_argument("--entry", type=int, required=True, metavar="N", help="the entry's seq")
        inclusion.add_argument("--tree-size", type=int, metavar="M", help="default: the latest signed head's size")
        consistency = commands.add_parser("consistency-proof", help="prove the tree of M entries starts the tree of N")
        consistency.add_argument("--from", dest="first", type=int, required=True, metavar="M")
        consistency.add_argument("--to", dest="second", type=int, required=True, metavar="N")
        commands.add_parser("backfill", help="add the leaves of ledger entries the tree lacks")

    def handle(self, *args, action, **options):
        try:
            return getattr(self, f"_{action.replace('-', '_')}")(**options)
        except ValidationError as error:
            raise CommandError("; ".join(f"{field}: {' '.join(messages)}"
                                         for field, messages in error.message_dict.items()),
                               returncode=2) from error
        except (merkle_heads.NothingToSign, merkle_store.TreeOutOfStep) as error:
            raise CommandError(str(error)) from error

    def _print(self, document: dict) -> None:
        self.stdout.write(json.dumps(document, ensure_ascii=False))

    def _tree_head(self, **_):
        self._print(merkle_heads.head_document(merkle_heads.sign_tree_head()))

    def _inclusion_proof(self, *, entry, tree_size, **_):
        try:
            self._print(merkle_heads.inclusion_document(entry, {"tree_size": tree_size}))
        except LedgerEntry.DoesNotExist as error:
            raise CommandError(f"no ledger entry {entry}", returncode=2) from error

    def _consistency_proof(self, *, first, second, **_):
        self._print(merkle_heads.consistency_document({"from": first, "to": second}, first="from", second="to"))

    def _backfill(self, **_):
        added = merkle_store.backfill()
        self.stderr.write(f"added {added} leaves; the tree holds {merkle_store.leaf_count()} entries")
