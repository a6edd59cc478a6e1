"""Several OS processes, each with its own PostgreSQL connection, appending at once: one chain.

Workers start together (each says "ready", then waits for its stdin to close) so their appends
overlap, including the very first ones on an empty table, which locking the last row could not
serialize. Without the advisory lock, the unique seq/prev_hash constraints turn every would-be fork
into an IntegrityError, so the chain still never branches.
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from changemgmt.ledger import audit as ledger_audit
from changemgmt.models import LedgerEntry

WORKERS = 4
APPENDS = 20
BASE_DIR = Path(settings.BASE_DIR)

WORKER = r"""
import os, sys
import django
django.setup()
from django.db import IntegrityError, connection, transaction
from changemgmt import ledger
if os.environ.get("LEDGER_TEST_NO_LOCK"):
    ledger._serialize_append = lambda: None
name, count = sys.argv[1], int(sys.argv[2])
connection.ensure_connection()
print("ready", flush=True)
sys.stdin.read()
written = refused = 0
for i in range(count):
    try:
        with transaction.atomic():
            ledger.append(actor=None, action="test.concurrent", subject=f"worker:{name}", payload={"i": i})
        written += 1
    except IntegrityError:
        refused += 1
print(f"{written} {refused}", flush=True)
"""

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL"),
]


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _run_workers(extra_env=None) -> list[tuple[int, int]]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "changemgmt.settings", "DATABASE_URL": _database_url(),
           **(extra_env or {})}
    workers = [subprocess.Popen([sys.executable, "-c", WORKER, str(n), str(APPENDS)], cwd=BASE_DIR, env=env,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for n in range(WORKERS)]
    try:
        for worker in workers:
            assert worker.stdout.readline().strip() == "ready", worker.stderr.read()
        for worker in workers:
            worker.stdin.close()
        results = []
        for worker in workers:
            out = worker.stdout.read()
            assert worker.wait(timeout=120) == 0, worker.stderr.read()
            written, refused = out.split()
            results.append((int(written), int(refused)))
        return results
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()


def test_concurrent_appends_from_several_processes_form_one_chain():
    results = _run_workers()

    seqs = list(LedgerEntry.objects.order_by("seq").values_list("seq", flat=True))
    assert results == [(APPENDS, 0)] * WORKERS
    assert seqs == list(range(1, WORKERS * APPENDS + 1))
    assert LedgerEntry.objects.values("subject").distinct().count() == WORKERS
    assert ledger_audit.verify_database().intact


def test_without_the_lock_a_fork_fails_loudly_and_the_chain_holds():
    results = _run_workers({"LEDGER_TEST_NO_LOCK": "1"})

    written = sum(w for w, _ in results)
    assert sum(w + r for w, r in results) == WORKERS * APPENDS
    assert LedgerEntry.objects.count() == written
    outcome = ledger_audit.verify_database()
    assert outcome.intact and outcome.head_seq == written
