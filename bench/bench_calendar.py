"""Benchmark of the change calendar on PostgreSQL: 10,000 scheduled changes over 1,000 services, 3,000
of them in the month the page shows.

Prints p50/p95 for: the conflict check of one change (the range query alone, and the full recompute
that stores conflicts), next available slots for a high-risk change over the coming 8 weeks, and the
calendar month page beside its floor (interleaved: page, floor, page, floor …) with its query count,
as a row of bench/README.md's table.

    .venv/bin/python bench/bench_calendar.py --database-url postgres://postgres@127.0.0.1:5432/bench_x
    .venv/bin/python bench/bench_calendar.py --only month --runs 50    # the month page alone

The floor is a bare view behind the same middleware: ONE raw SQL query for the rows the month shows
(the first six changes of each day of the grid and each day's count, days in the organisation's time
zone) and `json.dumps`.

Production settings (DEBUG off, persistent connections: one connection for the whole run, not one per
request), this run's own temporary folders (bench/benchlib.py). The database is created if missing,
migrated, and the rows this script seeded last time (names starting "bench-") are replaced when their
number differs (or with --reseed). Never point it at production.
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import (  # noqa: E402
    HEADER,
    configure,
    count_queries,
    interleaved,
    load_average,
    plain_static_files,
    recreate_database,
    report_row,
)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/changemgmt_bench_calendar"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--runs", type=int, default=30, help="timed page/floor pairs of the month page")
    parser.add_argument("--only", choices=["all", "month"], default="all")
    parser.add_argument("--reseed", action="store_true", help="seed the bench rows again")
    return parser.parse_args()


ARGS = parse_args()
configure(ARGS.database_url)
recreate_database(ARGS.database_url, drop=False)

import django  # noqa: E402

django.setup()
plain_static_files()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import clear_url_caches, path  # noqa: E402
from django.utils import timezone  # noqa: E402

from changemgmt import urls  # noqa: E402
from changemgmt.models import User  # noqa: E402
from changemgmt.roles import Role  # noqa: E402
from changes.calendar import conflicts, openings, schedule  # noqa: E402
from changes.calendar import services as calendar_services  # noqa: E402
from changes.choices import State  # noqa: E402
from changes.models import ChangeRequest, Service  # noqa: E402

CHANGES, SERVICES, IN_MONTH, RUNS = 10_000, 1_000, 3_000, 200
STATES = [State.DRAFT, State.ASSESSMENT, State.APPROVAL, State.TESTING, State.READY]
PER_DAY = 6  # what a month cell shows (changes.calendar.views.PER_DAY["month"])
FLOOR_SQL = """
SELECT day, id, title, risk_level, planned_start, n FROM (
  SELECT (c.planned_start AT TIME ZONE %(tz)s)::date AS day, c.id, c.title, c.risk_level, c.planned_start,
         row_number() OVER (PARTITION BY (c.planned_start AT TIME ZONE %(tz)s)::date
                            ORDER BY c.planned_start, c.id) AS rank,
         count(*) OVER (PARTITION BY (c.planned_start AT TIME ZONE %(tz)s)::date) AS n
  FROM changes_changerequest c WHERE c.planned_start >= %(start)s AND c.planned_start < %(end)s) t
WHERE rank <= %(per_day)s ORDER BY day, rank"""


def month_shown() -> tuple:
    """The first day of the month the page shows (next month: every day of it is in the future) and the
    first day after it."""
    first = (timezone.localdate() + timedelta(days=32)).replace(day=1)
    return first, (first + timedelta(days=32)).replace(day=1)


def seed(rng, reseed: bool):
    """IN_MONTH changes in the month the page shows, the rest over the 120 days from tomorrow, each in a
    low-risk window, with one or two of SERVICES services. Bench infrastructure: bulk inserts, no services."""
    existing = list(ChangeRequest.objects.filter(title__startswith="bench-"))
    if len(existing) == CHANGES and not reseed:
        return User.objects.get(username="bench-user"), existing  # reuse last run's data (--reseed redoes it)
    ChangeRequest.objects.filter(title__startswith="bench-").delete()
    Service.objects.filter(name__startswith="bench-").delete()
    user, _ = User.objects.get_or_create(username="bench-user")
    from django.contrib.auth.models import Group

    user.groups.add(Group.objects.get(name=Role.REQUESTER))
    services = Service.objects.bulk_create([Service(name=f"bench-svc-{i:04d}") for i in range(SERVICES)])
    windows = schedule.load_windows()
    today = timezone.localdate()
    first, after = month_shown()
    inside, outside = [], []
    for offset in range(1, 120):
        day = today + timedelta(days=offset)
        for start, end in schedule.windows_on(day, "low", windows):
            slots = [start + timedelta(minutes=15 * k) for k in range(int((end - start).total_seconds() // 900))]
            (inside if first <= day < after else outside).extend(slots)
    rows = []
    for index in range(CHANGES):
        start = rng.choice(inside if index < IN_MONTH else outside)
        rows.append(ChangeRequest(title=f"bench-{index}", requester=user, owner=user, state=rng.choice(STATES),
                                  risk_level=rng.choice(["low", "medium"]), planned_start=start,
                                  planned_end=start + timedelta(minutes=rng.choice([30, 60, 90]))))
    with transaction.atomic():
        created = ChangeRequest.objects.bulk_create(rows, batch_size=2000)
        through = ChangeRequest.services.through
        links = []
        for change in created:
            for service in rng.sample(services, rng.choice([1, 1, 2])):
                links.append(through(changerequest_id=change.pk, service_id=service.pk))
        through.objects.bulk_create(links, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return user, created


def timed(fn, runs=RUNS):
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - began) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def install_floor(first, after) -> None:
    """/__floor__/month/: one raw query for the rows the month page shows, json.dumps, a response."""
    grid_start = timezone.make_aware(timezone.datetime.combine(first - timedelta(days=first.weekday()),
                                                               timezone.datetime.min.time()))
    grid_end = timezone.make_aware(timezone.datetime.combine(after + timedelta(days=(7 - after.weekday()) % 7),
                                                             timezone.datetime.min.time()))
    params = {"tz": str(timezone.get_current_timezone()), "start": grid_start, "end": grid_end,
              "per_day": PER_DAY}

    def floor(request):
        with connection.cursor() as cursor:
            cursor.execute(FLOOR_SQL, params)
            rows = cursor.fetchall()
        return HttpResponse(json.dumps(rows, default=str), content_type="application/json")

    urls.urlpatterns[:0] = [path("__floor__/month/", floor)]
    clear_url_caches()


def other_figures(rng, created):
    sample = [ChangeRequest.objects.prefetch_related("services", "configuration_items").get(pk=c.pk)
              for c in rng.sample(created, 50)]

    def conflict_query():
        change = rng.choice(sample)
        conflicts.overlapping(start=change.planned_start, end=change.planned_end,
                              service_ids=schedule.effective_service_ids(change), exclude_id=change.pk)

    def conflict_recompute():
        with transaction.atomic():
            calendar_services.recompute_conflicts(change_id=rng.choice(sample).pk)

    high = sample[0]
    high.risk_level = "high"

    def next_slots():
        openings.next_openings(change=high, count=5, horizon_days=56)

    for label, fn in [("conflict check, range query (one change)", conflict_query),
                      ("conflict check, full recompute (one change)", conflict_recompute),
                      ("next 5 slots, high risk, 8 weeks", next_slots)]:
        p50, p95 = timed(fn)
        print(f"{label:48s} p50 {p50:7.2f} ms   p95 {p95:7.2f} ms   ({RUNS} runs)  load {load_average():.1f}")


def main():
    if connection.vendor != "postgresql":
        sys.exit("Run against PostgreSQL (--database-url postgres://...).")
    call_command("migrate", verbosity=0)
    rng = random.Random(2026)
    began = time.perf_counter()
    user, created = seed(rng, ARGS.reseed)
    print(f"seeded {CHANGES} changes over {SERVICES} services in {time.perf_counter() - began:.1f} s")
    if ARGS.only == "all":
        other_figures(rng, created)
    first, after = month_shown()
    install_floor(first, after)
    client = Client()
    client.force_login(user)

    def month_page():
        assert client.get(f"/calendar/?view=month&date={first:%Y-%m-%d}").status_code == 200

    def month_floor():
        assert client.get("/__floor__/month/").status_code == 200

    month_page()
    page_queries = count_queries(month_page)
    in_month = ChangeRequest.objects.filter(
        planned_start__gte=timezone.make_aware(timezone.datetime.combine(first, timezone.datetime.min.time())),
        planned_start__lt=timezone.make_aware(timezone.datetime.combine(after, timezone.datetime.min.time()))).count()
    samples = interleaved({"page": month_page, "floor": month_floor}, ARGS.runs)
    cpu = []  # this process's CPU per request: what the load of other processes does not inflate
    for _ in range(ARGS.runs):
        began = time.process_time()
        month_page()
        cpu.append((time.process_time() - began) * 1000)
    print(HEADER)
    print(report_row(f"calendar month page (`bench_calendar.py`; Python CPU median {statistics.median(cpu):.0f} ms)",
                     f"{in_month:,} changes in the month", samples["page"], samples["floor"], page_queries))


if __name__ == "__main__":
    main()
