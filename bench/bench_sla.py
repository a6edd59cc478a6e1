"""The SLA sweep over 100,000 open approval slots of which 1,000 are due, and "My approvals" with 500
waiting slots, on PostgreSQL.

    .venv/bin/python bench/bench_sla.py                     # seed its own database and measure
    .venv/bin/python bench/bench_sla.py --open 20000        # a smaller run, to compare query counts

Uses its own database (default postgres://postgres@127.0.0.1:5432/changemgmt_bench_sla, or
BENCH_DATABASE_URL), dropped and re-seeded with bulk inserts on every run. Prints one sweep's time and
query count (which must not depend on the number of open slots, only on the due ones: batches of
500), and the queue page's median/p95 server time and query count over --requests requests.
"""
import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from benchlib import configure, plain_static_files, recreate_database  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/changemgmt_bench_sla"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--open", type=int, default=100_000, help="open (pending) slots")
    parser.add_argument("--due", type=int, default=1_000, help="of which due for a reminder now")
    parser.add_argument("--queue", type=int, default=500, help="slots waiting for the queue page's user")
    parser.add_argument("--requests", type=int, default=30)
    return parser.parse_args()


def seed(open_slots: int, due: int, queue: int):
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from approvals.models import ApprovalSlot
    from changemgmt import clock
    from changemgmt.models import Team, User
    from changes.models import ChangeRequest

    now = timezone.now()
    team = Team.objects.create(name="Bench")
    requester = User.objects.create_user("bench-requester", team=team)
    requester.groups.add(Group.objects.get(name="requester"))
    peers = [User.objects.create_user(f"bench-peer-{i}", team=Team.objects.get_or_create(name="Other")[0])
             for i in range(3)]
    for peer in peers:
        peer.groups.add(Group.objects.get(name="peer_reviewer"))
    dba = User.objects.create_user("bench-dba", password="bench-password", team=peers[0].team)
    dba.groups.add(Group.objects.get(name="dba"))
    # SLAs run in business time: a due slot was requested a week ago (at least three business days, on
    # any date, holidays included) and is due two business days from now, so its 50 % reminder is past
    # on a weekend too (a due time 12 hours ahead sent nothing on a Sunday).
    requested, due_by = now - timedelta(days=7), clock.add_business_days(now, 2)
    changes_needed = open_slots // 2 + queue
    ChangeRequest.objects.bulk_create([
        ChangeRequest(title=f"Bench change {i}", requester=requester, owner=requester, team=team, state="approval",
                      risk_level="low", risk_computed="low") for i in range(changes_needed)], batch_size=5000)
    ids = list(ChangeRequest.objects.order_by("id").values_list("id", flat=True))
    slots = []
    for change_id in ids[:open_slots // 2]:
        for ordinal in (1, 2):
            is_due = len(slots) < due
            slots.append(ApprovalSlot(
                change_id=change_id, role="peer", ordinal=ordinal, rule="Application changes need 2 reviewers",
                policy="POLICY §3", due_at=due_by if is_due else now + timedelta(hours=48),
                next_step="remind_50", next_step_at=now - timedelta(minutes=1) if is_due else now + timedelta(days=1)))
    for change_id in ids[open_slots // 2:]:
        slots.append(ApprovalSlot(change_id=change_id, role="dba", ordinal=1, rule="Database changes need a DBA",
                                  policy="POLICY §3", due_at=now + timedelta(days=2), next_step="remind_50",
                                  next_step_at=now + timedelta(days=1)))
    ApprovalSlot.objects.bulk_create(slots, batch_size=5000)
    # created_at is auto_now_add: set the due slots' request time afterwards.
    ApprovalSlot.objects.filter(next_step_at__lte=now).update(created_at=requested)
    return dba


def measure_sweep():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from approvals.services import sla

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        sent = sla.sweep()
        took = time.perf_counter() - started
    return sent, took, len(queries)


def measure_queue(user, requests: int):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    for _ in range(3):
        assert client.get("/approvals/queue/").status_code == 200
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get("/approvals/queue/")
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/approvals/queue/")
    rows = response.content.decode().count('<tr id="slot-')
    return statistics.median(times), statistics.quantiles(times, n=20)[18], len(queries), rows


def main():
    args = parse_args()
    # Follow-up work (the notification e-mails) is queued on the file-system broker, whose folders
    # configure() creates in this run's own temporary folder (no FileNotFoundError during the sweep).
    configure(args.database_url, eager_tasks=False)
    recreate_database(args.database_url, drop=True)
    import django

    django.setup()
    from django.core.management import call_command

    plain_static_files()
    call_command("migrate", verbosity=0)
    # Queue follow-up work (the notification emails) on the embedded broker, as a worker would take it,
    # instead of running it inline: the sweep's own queries are what is measured.
    from changemgmt.celery import app

    app.conf.task_always_eager = False
    # Load the URLconf now, as a running worker has: the sweep's first message link (reverse) imported
    # every view module inside the timed sweep, most of the 5 s it measured.
    from django.urls import reverse

    reverse("dashboard")
    started = time.perf_counter()
    dba = seed(args.open, args.due, args.queue)
    print(f"seeded {args.open:,} open peer slots ({args.due:,} due) + {args.queue} DBA slots "
          f"in {time.perf_counter() - started:.1f} s")
    sent, took, queries = measure_sweep()
    print(f"sweep: {sent:,} steps sent in {took * 1000:.0f} ms, {queries} queries")
    sent_again, took_again, queries_again = measure_sweep()
    print(f"second sweep (nothing due): {sent_again} steps in {took_again * 1000:.0f} ms, {queries_again} queries")
    median, p95, queries, rows = measure_queue(dba, args.requests)
    print(f"My approvals ({rows} rows): median {median:.0f} ms, p95 {p95:.0f} ms, {queries} queries")


if __name__ == "__main__":
    main()
