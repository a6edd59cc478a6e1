"""The evidence pack reads every inclusion proof it needs in a few queries (bench/bench_evidence.py),
and each proof document is the one GET /api/ledger/entries/{seq}/inclusion-proof/ answers."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit import evidence
from audit.selectors import change_history
from changemgmt.ledger import tree_heads
from tests.support import lifecycle as life

pytestmark = pytest.mark.django_db


def test_batched_proofs_equal_the_single_ones(requester, peer, peer2, frozen):
    change = life.deployed(requester, [peer, peer2], frozen)
    head = tree_heads.sign_tree_head(actor=None)
    entries = change_history(change)
    with CaptureQueriesContext(connection) as queries:
        batched = evidence.inclusion_documents(entries, head)
    assert len(entries) > 5 and len(queries) <= 3
    assert batched == [tree_heads.inclusion_document(e.seq, {"tree_size": head.tree_size}) for e in entries]
