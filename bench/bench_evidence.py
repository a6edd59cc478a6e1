#!/usr/bin/env python
"""Evidence pack benchmark: the time and SQL queries of one change's evidence pack (issue 11: < 200 ms),
built by `audit.evidence.build` and served by `/audit/changes/<id>/evidence.zip`, on a ledger holding
the change's lifecycle among the entries of many other changes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/changemgmt .venv/bin/python bench/bench_evidence.py
    .venv/bin/python bench/bench_evidence.py --background 200 --repeats 30     # SQLite, in memory

Like bench_merkle.py it never touches the database DATABASE_URL names: it migrates a throwaway
`<name>_evidence_bench` database next to it and drops it at the end. Every row is written through the
real services (filing, scoring, assessment, approvals, test evidence, deploy, verify, close), with
time-machine travelling so plans fall in real deployment windows; `--background` other changes are
filed and submitted first, so the ledger and its Merkle tree are longer than the change's own history.
"""
import argparse
import os
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
sys.path.insert(0, str(BASE_DIR / "bench"))
from benchlib import configure, run_dir  # noqa: E402

# Production settings (DEBUG off, persistent connections) and this run's own folders, removed at exit; the
# throwaway database sits next to DATABASE_URL's (SQLite in this run's folder when DATABASE_URL is unset).
configure(os.environ.get("DATABASE_URL", f"sqlite:///{run_dir() / 'bench.sqlite3'}"))

import django  # noqa: E402

django.setup()

import time_machine  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_databases, teardown_databases  # noqa: E402

from audit import evidence  # noqa: E402
from changemgmt.ledger import tree_heads  # noqa: E402
from changemgmt.models import LedgerEntry  # noqa: E402
from changemgmt.roles import Role  # noqa: E402
from changes import services  # noqa: E402
from tests.support import factories as f  # noqa: E402
from tests.support import lifecycle as life  # noqa: E402


def measure(label: str, action, repeats: int) -> None:
    """Wall time (median, p95), this process's CPU time (median: less sensitive to a loaded machine) and
    the queries of one run."""
    timings, cpu = [], []
    for _ in range(repeats):
        with CaptureQueriesContext(connection) as queries:
            started, started_cpu = time.perf_counter(), time.process_time()
            action()
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
    p95 = sorted(timings)[max(0, int(len(timings) * 0.95) - 1)]
    print(f"{label:<44} median {statistics.median(timings):7.2f} ms  p95 {p95:7.2f} ms  "
          f"CPU {statistics.median(cpu):6.2f} ms  {len(queries):3d} queries")


def seed(background: int):
    requester = f.make_user("alice", Role.REQUESTER, team="Payments")
    peers = [f.make_user("bob", Role.PEER_REVIEWER, team="Platform"), f.make_user("pat", Role.PEER_REVIEWER,
                                                                                   team="Platform")]
    auditor = f.make_user("audrey", Role.AUDITOR)
    f.plan_from = f.NOW
    with time_machine.travel(f.NOW, tick=False) as traveller:
        for index in range(background):
            life.submitted(requester, title=f"Background change {index}",  # its own service: no conflicts
                           services=[f.make_service(f"service-{index}").pk])
        change = life.deployed(requester, peers, traveller)
        traveller.move_to(change.deployed_at.timestamp() + 3 * 3600)
        services.run_transition(change_id=change.pk, name="verify", actor=requester,
                                data={"verification_checks": life.ALL_CHECKS})
        services.run_transition(change_id=change.pk, name="close", actor=requester, data={
            "outcome": "successful", "review_answers": life.ALL_REVIEW, "lessons_learned": "Canary first."})
    f.plan_from = None
    tree_heads.sign_tree_head(actor=None)
    return f.reload(change), auditor


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--background", type=int, default=500, help="other changes filed first")
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()

    db = settings.DATABASES["default"]
    db.setdefault("TEST", {})["NAME"] = f"{db['NAME']}_evidence_bench" if connection.vendor != "sqlite" else None
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        started = time.perf_counter()
        change, auditor = seed(args.background)
        own = len(evidence.change_history(change))
        print(f"database: {connection.vendor} (throwaway {connection.settings_dict['NAME']}); seeded in "
              f"{time.perf_counter() - started:.1f} s: {LedgerEntry.objects.count():,} ledger entries, "
              f"{change.reference} with {own} of its own")
        pack = evidence.build(change, auditor)
        print(f"{'pack size':<44} {len(pack):,} bytes, {own} inclusion proofs")
        measure("evidence.build (one change)", lambda: evidence.build(change, auditor), args.repeats)
        client = Client()
        client.force_login(auditor)
        url = f"/audit/changes/{change.pk}/evidence.zip"
        assert client.get(url).status_code == 200
        measure(f"GET {url}", lambda: client.get(url), args.repeats)
    finally:
        teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    main()
