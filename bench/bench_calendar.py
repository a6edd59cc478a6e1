"""Benchmark of the change calendar on PostgreSQL: 10,000 scheduled changes over 1,000 services.

Prints p50/p95 for: the conflict check of one change (the range query alone, and the full recompute
that stores conflicts), next available slots for a high-risk change over the coming 8 weeks, and the
calendar month page with its query count.

    .venv/bin/python bench/bench_calendar.py      # BENCH_DATABASE_URL, default .../changemgmt_bench_calendar

Production settings (DEBUG off, persistent connections: one connection for the whole run, not one per
request), this run's own temporary folders. The database is created if missing, migrated, and the
rows this script seeded last time (names starting "bench-") are replaced. Never point it at production.
"""
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import configure, recreate_database  # noqa: E402

BENCH_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/changemgmt_bench_calendar")
configure(BENCH_URL)
recreate_database(BENCH_URL, drop=False)

import django  # noqa: E402
import django.conf  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from changemgmt.models import User  # noqa: E402
from changemgmt.roles import Role  # noqa: E402
from changes.calendar import conflicts, openings, schedule  # noqa: E402
from changes.calendar import services as calendar_services  # noqa: E402
from changes.choices import State  # noqa: E402
from changes.models import ChangeRequest, Service  # noqa: E402

CHANGES, SERVICES, RUNS = 10_000, 1_000, 200
STATES = [State.DRAFT, State.ASSESSMENT, State.APPROVAL, State.TESTING, State.READY]


def seed(rng):
    existing = list(ChangeRequest.objects.filter(title__startswith="bench-"))
    if len(existing) == CHANGES and os.environ.get("BENCH_RESEED") != "1":
        return User.objects.get(username="bench-user"), existing  # reuse last run's data (BENCH_RESEED=1 redoes it)
    ChangeRequest.objects.filter(title__startswith="bench-").delete()
    Service.objects.filter(name__startswith="bench-").delete()
    user, _ = User.objects.get_or_create(username="bench-user")
    from django.contrib.auth.models import Group

    user.groups.add(Group.objects.get(name=Role.REQUESTER))
    services = Service.objects.bulk_create([Service(name=f"bench-svc-{i:04d}") for i in range(SERVICES)])
    windows = schedule.load_windows()
    today = timezone.localdate()
    starts = []
    for offset in range(1, 120):
        day = today + timedelta(days=offset)
        for start, end in schedule.windows_on(day, "low", windows):
            starts += [start + timedelta(minutes=15 * k) for k in range(int((end - start).total_seconds() // 900))]
    rows = []
    for index in range(CHANGES):
        start = rng.choice(starts)
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


def main():
    if connection.vendor != "postgresql":
        sys.exit("Run against PostgreSQL (DATABASE_URL=postgres://...).")
    call_command("migrate", verbosity=0)
    rng = random.Random(2026)
    began = time.perf_counter()
    user, created = seed(rng)
    print(f"seeded {CHANGES} changes over {SERVICES} services in {time.perf_counter() - began:.1f} s")
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

    client = Client()
    client.force_login(user)
    month = (timezone.localdate() + timedelta(days=30)).replace(day=1).isoformat()

    def month_page():
        assert client.get(f"/calendar/?view=month&date={month}").status_code == 200

    month_page()
    reset_queries()  # each request resets the query log; start the capture from an empty one
    with CaptureQueriesContext(connection) as captured:
        month_page()
    page_queries = len(captured)  # read now: the captured list is a view of a log each request resets
    month_start = timezone.make_aware(timezone.datetime.fromisoformat(month))
    on_page = ChangeRequest.objects.filter(planned_start__gte=month_start,
                                           planned_start__lt=month_start + timedelta(days=31)).count()
    for label, fn, runs in [("conflict check, range query (one change)", conflict_query, RUNS),
                            ("conflict check, full recompute (one change)", conflict_recompute, RUNS),
                            ("next 5 slots, high risk, 8 weeks", next_slots, RUNS),
                            ("calendar month page", month_page, 20)]:
        p50, p95 = timed(fn, runs)
        print(f"{label:48s} p50 {p50:7.2f} ms   p95 {p95:7.2f} ms   ({runs} runs)")
    print(f"calendar month page queries: {page_queries} (changes in the month from {month}: {on_page})")


if __name__ == "__main__":
    from django.test.utils import override_settings

    # Pages link static files; the bench measures the page, not a collected static manifest.
    with override_settings(STORAGES={**django.conf.settings.STORAGES, "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}):
        main()
