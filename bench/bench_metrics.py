"""Server time of the metrics page, its CSV and the metrics API over a year of changes on PostgreSQL.

    .venv/bin/python bench/bench_metrics.py                    # seed (first run) 100,000 changes and measure
    .venv/bin/python bench/bench_metrics.py --changes 10000    # a smaller year
    .venv/bin/python bench/bench_metrics.py --reseed           # drop the bench database and seed again

It uses its own database (default postgres://postgres@127.0.0.1:5432/changemgmt_bench_metrics, or
BENCH_DATABASE_URL) and seeds it with batched bulk inserts: changes filed over the last 365 days across
the demo teams and services, every type and risk, deployed and closed with outcomes (mostly successful,
some failed or rolled back, with rollback records), two decided approval slots each, and for one change
in five a pipeline rollout (1, 5, 20, 100 %) with its hash-chained ledger entries. Then it times requests
through Django's test Client as the CTO (server time: routing, middleware, view, queries, rendering) with
production settings (DEBUG off): median and p95 over --requests requests after warm-up, and the number
of SQL queries of one request — first computed on every request (policy `metrics_freshness.cache_minutes`
0), then as deployed (5: the report kept in the cache, the first request computing it).
"""
import argparse
import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
import seeding  # noqa: E402
from benchlib import measure_page  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/changemgmt_bench_metrics"
TARGET_P95_MS = 200


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--changes", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page")
    parser.add_argument("--reseed", action="store_true", help="drop and recreate the bench database")
    return parser.parse_args()


def seed(count: int) -> None:
    """Bulk-insert a year of `count` changes. Writes bypass the services on purpose: the services are exercised
    by the tests; here only the volume and shape of the data matter."""
    from django.db import connection, transaction
    from django.db.models import F
    from django.utils import timezone

    from approvals.models import ApprovalSlot
    from changemgmt import ledger
    from changemgmt.models import LedgerEntry
    from changes.models import ChangeRequest, DeployEnvironment, DeploymentReport, RollbackRecord
    from demo import people as demo

    rng = random.Random(11)
    people = {user.username: user for user in demo.ensure_people()}
    services, _templates = demo.ensure_catalog()
    authors = [people[name] for name in ("alice", "ravi", "bob", "pat", "dana", "oscar")]
    approver = people["mia"]
    production, _ = DeployEnvironment.objects.get_or_create(name="production")
    now = timezone.now()
    started, batch = time.perf_counter(), 5000
    seq, prev = seeding.ledger_head()
    for offset in range(0, count, batch):  # one transaction per batch: a big seed commits as it goes
        with transaction.atomic():
            rows = []
            for index in range(offset, min(offset + batch, count)):
                submitted = now - timedelta(days=rng.uniform(0, 365))
                deployed = submitted + timedelta(hours=rng.uniform(2, 200))
                roll = rng.random()
                outcome, state = (("successful", "closed") if roll < 0.90 else ("failed", "closed") if roll < 0.93
                                  else ("rolled_back", "closed") if roll < 0.95 else ("", "deployed"))
                if deployed > now:
                    deployed, outcome, state = None, "", "approval"
                author = authors[index % len(authors)]
                risk = rng.choices(["low", "medium", "high", "critical"], [50, 30, 15, 5])[0]
                rows.append(ChangeRequest(
                    title=f"Metrics bench change {index}", requester=author, owner=author, team_id=author.team_id,
                    change_type=rng.choices(["standard", "normal", "emergency"], [20, 74, 6])[0], risk_level=risk,
                    risk_computed=risk, state=state, outcome=outcome, submitted_at=submitted, deployed_at=deployed,
                    closed_at=deployed + timedelta(days=1) if outcome else None,
                    review_answers={"no_unexpected_impact": rng.random() > 0.03} if outcome else {}))
            created = ChangeRequest.objects.bulk_create(rows)
            through = ChangeRequest.services.through
            through.objects.bulk_create([through(changerequest_id=change.pk, service_id=services[change.pk % len(
                services)].pk) for change in created])
            slots, rollbacks, reports, entries = [], [], [], []
            for change in created:
                for ordinal in (1, 2):
                    slots.append(ApprovalSlot(change=change, role="peer", ordinal=ordinal, rule="bench",
                                              policy="POLICY §3", status="granted", decided_by=approver,
                                              decided_at=change.submitted_at + timedelta(hours=rng.uniform(1, 30))))
                if change.outcome == "rolled_back":
                    decided = change.deployed_at + timedelta(minutes=rng.uniform(5, 600))
                    rollbacks.append(RollbackRecord(
                        change=change, severity="high", trigger="error_rate_rise", kind="application",
                        decided_at=decided, decided_by=approver, reason="bench", steps_executed="revert",
                        completed_at=decided + timedelta(minutes=rng.uniform(5, 90)), impact="bench",
                        root_cause="bench", preventive_measures="bench"))
                if change.deployed_at and change.pk % 5 == 0:
                    stages = [1, 5] if change.outcome == "rolled_back" else [1, 5, 20, 100]
                    for step, stage in enumerate(stages):
                        seq += 1
                        at = change.deployed_at + timedelta(minutes=20 * step)
                        fields = {"actor_name": "pipeline", "action": "pipeline.deployment_report",
                                  "subject": ledger.subject_of(change), "payload": {"stage": stage}}
                        digest = seeding.chain_hash(seq=seq, recorded_at=at, prev_hash=prev, **fields)
                        entries.append(LedgerEntry(seq=seq, recorded_at=at, actor=None, prev_hash=prev,
                                                   entry_hash=digest, **fields))
                        prev = digest
                        last_one = step == len(stages) - 1 and change.outcome == "rolled_back"
                        reports.append(DeploymentReport(
                            change=change, service_id=services[change.pk % len(services)].pk, environment=production,
                            artefact_digest="sha256:" + "b" * 64, pipeline_id="bench", run_id=str(change.pk),
                            stage=stage, error_rate_percent=9 if last_one else 0.1, p95_latency_ms=300,
                            alert_count=0, action="roll_back" if last_one else "continue", reported_at=at,
                            ledger_entry_id=seq))
            ApprovalSlot.objects.bulk_create(slots)
            RollbackRecord.objects.bulk_create(rollbacks)
            LedgerEntry.objects.bulk_create(entries)
            DeploymentReport.objects.bulk_create(reports)
            # auto_now_add stamped "now": filed an hour before submission, slots created at submission.
            ids = [change.pk for change in created]
            ChangeRequest.objects.filter(pk__in=ids).update(created_at=F("submitted_at") - timedelta(hours=1))
            with connection.cursor() as cursor:
                cursor.execute("UPDATE approvals_approvalslot s SET created_at = c.submitted_at "
                               "FROM changes_changerequest c WHERE s.change_id = c.id AND c.id = ANY(%s)", [ids])
        print(f"  seeded {offset + len(created):,} changes", file=sys.stderr, end="\r")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"  seeded {count:,} changes in {time.perf_counter() - started:.1f} s", file=sys.stderr)


def main() -> int:
    args = parse_args()
    total = seeding.open_database(args.database_url, reseed=args.reseed, changes=args.changes, seed_more=seed)
    from django.test import Client

    from changemgmt import policy_services
    from changemgmt.models import Team, User

    client = Client()
    client.force_login(User.objects.get(username="cora"))
    team = Team.objects.filter(members__username="alice").values_list("pk", flat=True).first()
    pages = [("metrics page, this month", "/metrics/"),
             ("metrics page, last 365 days", "/metrics/?period=365d"),
             ("metrics page, 365 days, one team, low risk", f"/metrics/?period=365d&team={team}&risk=low"),
             ("CSV, last 365 days", "/metrics/metrics.csv?period=365d"),
             ("API, last 365 days", "/api/metrics/?period=365d")]
    admin = User.objects.get(username="ada")
    results = []
    for minutes, how in ((0, "computed"), (5, "cached")):
        policy_services.update_setting(key="metrics_freshness", value={"cache_minutes": minutes}, actor=admin)
        for name, url in pages:
            results.append({"page": f"{name} ({how})", **measure_page(client, url, args.requests)})

    print(f"\n{total:,} changes filed over a year, PostgreSQL; {args.requests} timed requests per page "
          f"(server time via Django's test Client)\n")
    print(f"| {'page':<55} | {'median ms':>9} | {'p95 ms':>7} | {'queries':>7} |")
    print(f"|{'-' * 57}|{'-' * 11}|{'-' * 9}|{'-' * 9}|")
    for row in results:
        if row["status"] != 200:
            print(f"| {row['page']:<55} | {'HTTP ' + str(row['status']):>9} | {'':>7} | {'':>7} |")
            continue
        flag = "" if row["p95_ms"] < TARGET_P95_MS else " (over target)"
        print(f"| {row['page']:<55} | {row['median_ms']:>9.1f} | {row['p95_ms']:>7.1f} | {row['queries']:>7} |{flag}")
    print(f"\nTarget: p95 under {TARGET_P95_MS} ms; queries per request the same whatever the number of changes.")
    return 0 if all(row["status"] == 200 for row in results) else 1


if __name__ == "__main__":
    sys.exit(main())
