"""50 pipelines polling one run at the same moment get one decision and write one ledger entry: the
change row lock queues them, and the unique constraint on the decision backs the lock up. Real threads,
each with its own connection, on PostgreSQL."""
import threading

import pytest
from django.db import connection

from changemgmt.models import LedgerEntry
from changes.pipeline.models import GateDecision
from tests.support import lifecycle as life

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL"),
]
POLLS = 50


def test_fifty_concurrent_polls_of_one_run_make_one_decision_and_one_entry(frozen, requester, peer, peer2,
                                                                          pipeline):
    change = life.ready(requester, [peer, peer2])
    barrier = threading.Barrier(POLLS)
    answers = [None] * POLLS

    def poll(index):
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            answers[index] = pipeline.ask(change)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=poll, args=(i,)) for i in range(POLLS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {answer.status_code for answer in answers} == {200}
    assert len({answer.json()["decision_id"] for answer in answers}) == 1
    assert GateDecision.objects.count() == 1
    assert LedgerEntry.objects.filter(action__startswith="pipeline.gate_").count() == 1
