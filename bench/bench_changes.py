"""Server time of the change pages and the API list over 10,000 changes on PostgreSQL.

    .venv/bin/python bench/bench_changes.py                  # seed (first run) and measure
    .venv/bin/python bench/bench_changes.py --reseed         # drop the bench database and seed again
    .venv/bin/python bench/bench_changes.py --changes 2000 --requests 30

It uses its own database (default postgres://postgres@127.0.0.1:5432/changemgmt_bench_changes, or
BENCH_DATABASE_URL), seeds it with bulk inserts (changes with services, approval slots, test evidence,
row history and a valid hash-chained ledger trail), then times requests through Django's test
Client, which measures the server side only: URL routing, middleware, views, queries and
template/serializer rendering. For each page it prints median and p95 over --requests requests
(after warm-up) and the queries one request makes. Settings are production-like (DEBUG off) except
that static files are served without a collectstatic manifest. bench/bench_pages.py measures the same
pages beside their raw-SQL floors and seeds faster (COPY); this script keeps the older figures comparable.
"""
import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from benchlib import configure, recreate_database  # noqa: E402

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


def seed(count: int) -> None:
    """Bulk-insert `count` changes with what hangs off them. Writes bypass the services on purpose:
    the services are exercised by the tests; here only the volume and shape of the data matter."""
    from django.db import transaction
    from django.utils import timezone

    from approvals.choices import SlotRole, SlotStatus
    from approvals.models import ApprovalSlot
    from changemgmt import ledger
    from changemgmt.ledger.verifier import GENESIS_HASH, entry_hash
    from changemgmt.models import LedgerEntry
    from changes.choices import Category, ChangeType, Outcome, State, TestResult
    from changes.models import ChangeRequest, TestEvidence
    from demo import people as demo

    rng = random.Random(42)
    people = demo.ensure_people()
    by_name = {user.username: user for user in people}
    services, _templates = demo.ensure_catalog()
    authors = [by_name["alice"], by_name["ravi"]]
    approvers = {SlotRole.PEER: by_name["bob"], SlotRole.MANAGER: by_name["mia"], SlotRole.SECURITY: by_name["sam"],
                 SlotRole.DBA: by_name["dana"], SlotRole.OPERATIONS: by_name["oscar"],
                 SlotRole.CAB: by_name["carol"], SlotRole.CTO: by_name["cora"]}
    states = list(State.values)
    late_states = {State.TESTING, State.READY, State.DEPLOYED, State.VERIFIED, State.CLOSED, State.ROLLED_BACK}
    decided_states = late_states | {State.REJECTED}
    now = timezone.now()
    slot_roles = {"low": ["peer", "peer"], "medium": ["peer", "peer", "manager"],
                  "high": ["peer", "peer", "manager", "security", "cab"],
                  "critical": ["peer", "peer", "manager", "security", "cab", "cto"]}
    started = time.perf_counter()
    batch = 2000
    with transaction.atomic():
        last = LedgerEntry.objects.order_by("-seq").values("seq", "entry_hash").first()
        seq, prev = (last["seq"], last["entry_hash"]) if last else (0, GENESIS_HASH)
        for offset in range(0, count, batch):
            rows = []
            for index in range(offset, min(offset + batch, count)):
                state = states[index % len(states)]
                risk = ["low", "medium", "high", "critical"][index % 4]
                start = now + timedelta(days=rng.randint(-120, 60), hours=rng.randint(0, 3))
                author = authors[index % 2]
                rows.append(ChangeRequest(
                    title=f"Bench change {index}: upgrade {services[index % len(services)].name}",
                    description="Bench data. " * 20, business_justification="Keeps the service healthy.",
                    impact_systems="one service", impact_users="some users", implementation_plan="Pipeline.",
                    test_plan="CI suites.", rollback_plan="Redeploy the previous release.",
                    planned_start=start, planned_end=start + timedelta(minutes=45),
                    change_type=ChangeType.NORMAL if index % 10 else ChangeType.EMERGENCY,
                    category=list(Category.values)[index % 4], requester=author, owner=author,
                    team_id=author.team_id, state=state, risk_systems=2, risk_users=2, risk_data=2,
                    risk_reversibility=1, risk_security=1, risk_computed=risk, risk_level=risk,
                    outcome=Outcome.SUCCESSFUL if state == State.CLOSED else "",
                    submitted_at=None if state == State.DRAFT else start - timedelta(days=8),
                ))
            created = ChangeRequest.objects.bulk_create(rows)
            through = ChangeRequest.services.through
            through.objects.bulk_create([through(changerequest_id=change.pk,
                                                 service_id=services[change.pk % len(services)].pk)
                                         for change in created])
            ChangeRequest.history.bulk_history_create(created, default_user=authors[0])
            slots, evidence, entries = [], [], []
            for change in created:
                if change.state in decided_states | {State.APPROVAL}:
                    for ordinal, role in enumerate(slot_roles[change.risk_level], start=1):
                        granted = change.state in late_states or (change.state == State.APPROVAL and ordinal == 1)
                        rejected = change.state == State.REJECTED and ordinal == 1
                        status = SlotStatus.REJECTED if rejected else SlotStatus.GRANTED if granted \
                            else SlotStatus.PENDING
                        decided = status != SlotStatus.PENDING
                        slots.append(ApprovalSlot(
                            change=change, role=role, ordinal=ordinal if role == "peer" else 1,
                            rule=f"{change.risk_level} risk requires {role}", policy="POLICY §3",
                            status=status, decided_by=(by_name["pat"] if role == "peer" and ordinal == 2
                                                       else approvers[role]) if decided else None,
                            decided_at=now if decided else None, reason="Bench." if decided else "",
                            due_at=now + timedelta(days=2)))
                if change.state in late_states:
                    evidence.append(TestEvidence(change=change, test_type="unit", result=TestResult.PASSED,
                                                 summary="412 passed", recorded_by=change.requester))
                for action in ("change.created", "change.submit", "change.risk_scored", "change.assess"):
                    seq += 1
                    fields = {"seq": seq, "recorded_at": ledger.format_time(now), "actor": change.requester.username,
                              "action": action, "subject": ledger.subject_of(change),
                              "payload": {"reference": change.reference, "state": change.state}, "prev_hash": prev}
                    digest = entry_hash(fields)
                    entries.append(LedgerEntry(seq=seq, recorded_at=now, actor=change.requester,
                                               actor_name=fields["actor"], action=action, subject=fields["subject"],
                                               payload=fields["payload"], prev_hash=prev, entry_hash=digest))
                    prev = digest
            ApprovalSlot.objects.bulk_create(slots)
            ApprovalSlot.history.bulk_history_create(slots, default_user=authors[0])
            TestEvidence.objects.bulk_create(evidence)
            LedgerEntry.objects.bulk_create(entries)
            print(f"  seeded {offset + len(created):,} changes", file=sys.stderr, end="\r")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"  seeded {count:,} changes in {time.perf_counter() - started:.1f} s", file=sys.stderr)


def measure(client, url: str, requests: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)
    if response.status_code != 200:
        return {"url": url, "status": response.status_code}
    for _ in range(3):
        client.get(url)
    timings, cpu = [], []
    for _ in range(requests):
        started, started_cpu = time.perf_counter(), time.process_time()
        client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    timings.sort()
    return {"url": url, "status": 200, "median_ms": statistics.median(timings),
            "p95_ms": timings[max(0, int(round(0.95 * len(timings))) - 1)], "queries": len(queries),
            "python_cpu_median_ms": statistics.median(cpu),
            "bytes": len(response.content)}


def main() -> int:
    args = parse_args()
    configure(args.database_url)
    fresh = recreate_database(args.database_url, drop=args.reseed)

    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import override_settings

    from changes.choices import State
    from changes.models import ChangeRequest

    call_command("migrate", verbosity=0)
    have = ChangeRequest.objects.count()
    if fresh or have < args.changes:
        seed(args.changes - have)
    total = ChangeRequest.objects.count()

    from changemgmt.models import LedgerEntry, User

    client = Client()
    client.force_login(User.objects.get(username="alice"))
    detail = (ChangeRequest.objects.filter(state=State.CLOSED).order_by("-id").values_list("pk", flat=True).first())
    pages = [("change list page", "/changes/"), ("change detail page", f"/changes/{detail}/"),
             ("API change list (50 rows)", "/api/changes/"),
             ("change list, filtered (few rows)", "/changes/?state=draft&risk_level=critical"),
             ("API list, filtered (few rows)", "/api/changes/?state=draft&risk_level=critical")]
    static = {"staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
              "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    results = []
    with override_settings(STORAGES=static):
        for name, url in pages:
            results.append({"page": name, **measure(client, url, args.requests)})

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
