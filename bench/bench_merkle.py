#!/usr/bin/env python
"""Merkle benchmark: a tree of N ledger leaves (default 1,000,000), then the time and the number of
SQL queries of an inclusion proof, a consistency proof, the root, and adding one more leaf.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/changemgmt .venv/bin/python bench/bench_merkle.py

Like bench_ledger.py it never touches the database DATABASE_URL names: it migrates a throwaway
`<name>_merkle_bench` database next to it and drops it at the end. The node table is written by the
same code as `manage.py merkle backfill` (bulk inserts of 5,000 rows), from synthetic entry hashes:
proofs read only the node table, so no ledger rows are needed.
"""
import argparse
import hashlib
import os
import random
import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
sys.path.insert(0, str(BASE_DIR / "bench"))
from benchlib import configure, run_dir  # noqa: E402

# Production settings (DEBUG off, persistent connections) and this run's own folders, removed at exit; the
# throwaway database sits next to DATABASE_URL's (SQLite in this run's folder when DATABASE_URL is unset).
configure(os.environ.get("DATABASE_URL", f"sqlite:///{run_dir() / 'bench.sqlite3'}"))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_databases, teardown_databases  # noqa: E402

from changemgmt.ledger import merkle, merkle_store  # noqa: E402
from changemgmt.models import MerkleNode  # noqa: E402


def entry_hash(i: int) -> str:
    return hashlib.sha256(f"entry {i}".encode()).hexdigest()


def measure(label: str, action, repeats: int) -> list:
    """Run `action` `repeats` times; print the median and p95 time and the queries of one run."""
    timings, results = [], []
    for _ in range(repeats):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            results.append(action())
            timings.append((time.perf_counter() - started) * 1000)
    p95 = sorted(timings)[max(0, int(len(timings) * 0.95) - 1)]
    print(f"{label:<40} median {statistics.median(timings):7.2f} ms  p95 {p95:7.2f} ms  {len(queries):3d} queries")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leaves", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=50)
    args = parser.parse_args()

    db = settings.DATABASES["default"]
    db.setdefault("TEST", {})["NAME"] = f"{db['NAME']}_merkle_bench" if connection.vendor != "sqlite" else None
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        print(f"database: {connection.vendor} (throwaway {connection.settings_dict['NAME']}), {args.leaves:,} leaves")
        started = time.perf_counter()
        with transaction.atomic():
            merkle_store._append_leaves(0, (entry_hash(i) for i in range(args.leaves)))
        elapsed = time.perf_counter() - started
        rows = MerkleNode.objects.count()
        print(f"{'build (backfill code, bulk inserts)':<40} {elapsed:8.1f} s  {rows:,} node rows  "
              f"{args.leaves / elapsed:,.0f} leaves/s")

        size, rng = args.leaves, random.Random(9162)
        root = measure("root of the whole tree", lambda: merkle_store.root(size), 5)[0]
        indexes = [rng.randrange(size) for _ in range(args.repeats)]
        proofs = measure("inclusion proof", lambda: (i := indexes.pop(), merkle_store.inclusion_proof(i, size)),
                         args.repeats)
        assert all(merkle.verify_inclusion(merkle.ledger_leaf_hash(entry_hash(i)), i, size, proof, root)
                   for i, proof in proofs)
        print(f"{'':<40} {len(proofs[0][1])} hashes per proof, all verified against the root")
        firsts = [rng.randrange(1, size) for _ in range(args.repeats)]
        consistency = measure("consistency proof (random first size)",
                              lambda: (m := firsts.pop(), merkle_store.consistency_proof(m, size)), args.repeats)
        roots = {m: merkle_store.root(m) for m, _ in consistency}
        assert all(merkle.verify_consistency(m, size, roots[m], root, proof) for m, proof in consistency)
        counter = iter(range(size, size + args.repeats))

        def add_one():  # what ledger.append adds: add_leaf reads only the entry's seq and entry_hash
            with transaction.atomic():
                n = next(counter)
                merkle_store.add_leaf(SimpleNamespace(seq=n + 1, entry_hash=entry_hash(n)))
        measure("one more leaf (the append's share)", add_one, args.repeats)
        assert merkle_store.leaf_count() == size + args.repeats
    finally:
        teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    main()
