#!/usr/bin/env python
"""Ledger benchmark: seed N correctly chained entries, then time `ledger verify` on the database,
`ledger export`, and the standalone verifier on that export. Prints entries per second.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/changemgmt .venv/bin/python bench/bench_ledger.py --entries 100000

It never touches the database DATABASE_URL names: like the test runner it creates a throwaway
`<name>_ledger_bench` database next to it (migrated from scratch) and drops it at the end, because
ledger rows cannot be deleted once written.
"""
import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
sys.path.insert(0, str(BASE_DIR / "bench"))
from benchlib import configure  # noqa: E402

# Production settings and this run's own folders; the throwaway database sits next to DATABASE_URL's.
configure(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/changemgmt"))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402

from changemgmt.ledger import audit as ledger_audit  # noqa: E402
from changemgmt.ledger import format_time  # noqa: E402
from changemgmt.ledger.verifier import GENESIS_HASH, HASHED_FIELDS, entry_hash  # noqa: E402
from changemgmt.models import LedgerEntry  # noqa: E402

BATCH = 5000
START = datetime(2026, 1, 5, 14, 0, tzinfo=UTC)
ACTIONS = ("change.created", "change.submit", "approval.granted", "change.deploy", "change.close")


def _payload(i: int) -> dict:
    """About the size of a real transition entry."""
    return {"reference": f"CHG-{i // 5:06d}", "from": "assess", "to": "approve", "risk": "medium",
            "reason": "Approved after peer review of the rollback plan.", "slots": [i % 7, i % 11]}


def seed(count: int) -> float:
    """bulk_create in batches with hashes chained in Python (the same entry_hash `append` uses)."""
    started = time.perf_counter()
    prev = GENESIS_HASH
    for first in range(1, count + 1, BATCH):
        rows = []
        for seq in range(first, min(first + BATCH, count + 1)):
            moment = START + timedelta(seconds=seq)
            fields = {"seq": seq, "recorded_at": format_time(moment), "actor": f"user{seq % 40}",
                      "action": ACTIONS[seq % len(ACTIONS)], "subject": f"changes.changerequest:{seq // 5}",
                      "payload": _payload(seq), "prev_hash": prev}
            prev = entry_hash(fields)
            rows.append(LedgerEntry(seq=seq, recorded_at=moment, actor_name=fields["actor"], action=fields["action"],
                                    subject=fields["subject"], payload=fields["payload"], prev_hash=fields["prev_hash"],
                                    entry_hash=prev))
        LedgerEntry.objects.bulk_create(rows)
    return time.perf_counter() - started


def timed(label: str, count: int, action):
    started = time.perf_counter()
    result = action()
    elapsed = time.perf_counter() - started
    print(f"{label:<44} {elapsed:8.2f} s  {count / elapsed:>10,.0f} entries/s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=ledger_audit.BATCH_SIZE, help="verify/export batch")
    args = parser.parse_args()

    db = settings.DATABASES["default"]
    db.setdefault("TEST", {})["NAME"] = f"{db['NAME']}_ledger_bench" if connection.vendor != "sqlite" else None
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        print(f"database: {connection.vendor} (throwaway {connection.settings_dict['NAME']}), "
              f"{args.entries:,} entries, batch {args.batch_size}")
        elapsed = seed(args.entries)
        rate = args.entries / elapsed
        print(f"{'seed (bulk_create, hashes in Python)':<44} {elapsed:8.2f} s  {rate:>10,.0f} entries/s")

        # The floor: canonical JSON + SHA-256 over the same entries, already in memory (no database, no
        # chain or shape checks), interleaved with the database verify so both see the same load.
        entries = list(ledger_audit.iter_entries(args.batch_size))

        def floor():
            for entry in entries:
                hashlib.sha256(json.dumps({name: entry[name] for name in HASHED_FIELDS}, sort_keys=True,
                                          separators=(",", ":"), ensure_ascii=False).encode()).hexdigest()

        rates = {"verify": [], "floor": []}
        for _ in range(3):
            for name, action in (("verify", lambda: ledger_audit.verify_database(batch_size=args.batch_size)),
                                 ("floor", floor)):
                started = time.perf_counter()
                outcome = action()
                rates[name].append(args.entries / (time.perf_counter() - started))
                if name == "verify":
                    assert outcome.intact and outcome.entries == args.entries, outcome
        verify_rate, floor_rate = statistics.median(rates["verify"]), statistics.median(rates["floor"])
        print(f"{'manage.py ledger verify (database)':<44} {'':8}    {verify_rate:>10,.0f} entries/s (median of 3)")
        print(f"{'floor: canonical JSON + SHA-256 in memory':<44} {'':8}    {floor_rate:>10,.0f} entries/s "
              f"(median of 3)")
        print(f"verify / floor: {verify_rate / floor_rate:.0%} (target >= 50 %); load average {os.getloadavg()[0]:.1f}")

        with tempfile.TemporaryDirectory() as tmp:
            export = Path(tmp) / "export.jsonl"
            with open(export, "w", encoding="utf-8") as stream:
                timed("manage.py ledger export", args.entries,
                      lambda: ledger_audit.write_export(stream, batch_size=args.batch_size))
            checkpoint = Path(tmp) / "checkpoint.json"
            checkpoint.write_text(json.dumps(ledger_audit.checkpoint_document(ledger_audit.create_checkpoint())))
            # runpy wrapper: the verifier runs exactly as an auditor would run it (-I -S: standard library
            # only) and reports its own peak RSS (VmHWM), which stays flat however long the export is.
            wrapper = ("import runpy, sys\nsys.argv = sys.argv[1:]\ntry:\n    runpy.run_path(sys.argv[0], "
                       "run_name='__main__')\nfinally:\n    print([l for l in open('/proc/self/status') "
                       "if l.startswith('VmHWM')][0].split()[1], file=sys.stderr)")
            verifier = [sys.executable, "-I", "-S", "-c", wrapper,
                        str(BASE_DIR / "changemgmt" / "ledger" / "verifier.py"),
                        str(export), "--checkpoint", str(checkpoint)]
            result = timed("standalone ledger_verifier.py (subprocess)", args.entries,
                           lambda: subprocess.run(verifier, capture_output=True, text=True, check=False))
            assert result.returncode == 0, result.stdout + result.stderr
            peak_mib = int(result.stderr.split()[-1]) / 1024
            size_mib = export.stat().st_size / 2**20
            print(f"export size {size_mib:.1f} MiB; standalone verifier peak RSS {peak_mib:.1f} MiB")
            print(result.stdout.splitlines()[0])
    finally:
        teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    main()
