"""Server time of the change pages and the API list over 10,000 changes on PostgreSQL.

    .venv/bin/python bench/bench_changes.py                  # seed (first run) and measure
    .venv/bin/python bench/bench_changes.py --reseed         # drop the bench database and seed again
    .venv/bin/python bench/bench_changes.py --changes 2000 --requests 30

It uses its own database (default postgres://postgres@127.0.0.1:5432/changemgmt_bench_changes, or
BENCH_DATABASE_URL), seeds it with bench/seeding.py (COPY, committed in chunks: changes with services,
approval slots, test evidence, row history and a valid hash-chained ledger trail), then times requests
through Django's test Client, which measures the server side only: URL routing, middleware, views, queries and
template/serializer rendering. For each page it prints median and p95 over --requests requests
(after warm-up) and the queries one request makes. Settings are production-like (DEBUG off) except
that static files are served without a collectstatic manifest. bench/bench_pages.py measures the same
pages beside their raw-SQL floors; this script keeps the older figures comparable.
"""
import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
import seeding  # noqa: E402
from benchlib import measure_page  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/changemgmt_bench_changes"
TARGET_P95_MS = 50


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--changes", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=50, help="timed requests per page")
    parser.add_argument("--reseed", action="store_true", help="drop and recreate the bench database")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    total = seeding.open_database(args.database_url, reseed=args.reseed, changes=args.changes)
    from django.test import Client

    from changemgmt.models import LedgerEntry, User
    from changes.choices import State
    from changes.models import ChangeRequest

    client = Client()
    client.force_login(User.objects.get(username="alice"))
    detail = (ChangeRequest.objects.filter(state=State.CLOSED).order_by("-id").values_list("pk", flat=True).first())
    pages = [("change list page", "/changes/"), ("change detail page", f"/changes/{detail}/"),
             ("API change list (50 rows)", "/api/changes/"),
             ("change list, filtered (few rows)", "/changes/?state=draft&risk_level=critical"),
             ("API list, filtered (few rows)", "/api/changes/?state=draft&risk_level=critical")]
    results = [{"page": name, **measure_page(client, url, args.requests)} for name, url in pages]

    print(f"\n{total:,} changes, {LedgerEntry.objects.count():,} ledger entries, PostgreSQL; "
          f"{args.requests} timed requests per page (server time via Django's test Client)\n")
    print(f"| {'page':<34} | {'median ms':>9} | {'p95 ms':>7} | {'Python CPU ms':>13} | {'queries':>7} |")
    print(f"|{'-' * 36}|{'-' * 11}|{'-' * 9}|{'-' * 15}|{'-' * 9}|")
    for row in results:
        if row["status"] != 200:
            print(f"| {row['page']:<34} | {'HTTP ' + str(row['status']):>9} | {'':>7} | {'':>13} | {'':>7} |")
            continue
        flag = "" if row["p95_ms"] < TARGET_P95_MS else " (over target)"
        print(f"| {row['page']:<34} | {row['median_ms']:>9.1f} | {row['p95_ms']:>7.1f} "
              f"| {row['python_cpu_median_ms']:>13.1f} | {row['queries']:>7} |{flag}")
    print("\nPython CPU ms: CPU time of this process per request (median); it leaves out PostgreSQL's time but,")
    print("unlike wall time, hardly grows when other work shares the machine; check `uptime` before trusting it.")
    print(f"\nTarget: p95 under {TARGET_P95_MS} ms; queries per request the same whatever the number of rows.")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"changes": total, "results": results}, indent=2))
    return 0 if all(row["status"] == 200 for row in results) else 1


if __name__ == "__main__":
    sys.exit(main())
