"""Benchmark of the CAB on PostgreSQL: agenda generation for a week with 1,000 changes in flight
and N closed (default 100,000; the issue's target is 1,000,000), and the meeting page with 40 agenda
items beside its floor.

    .venv/bin/python bench/bench_cab.py --database-url postgres://postgres@127.0.0.1:5432/bench_x
    .venv/bin/python bench/bench_cab.py --reseed --closed 1000000    # seed again, a bigger history

The closed changes are written with COPY in chunks (`seeding.Table`), so 1,000,000 take minutes,
not the ORM's hours. They close at a steady rate (CLOSED_PER_WEEK) going back as far as the count
needs: a bigger table is a longer history, not a busier week, so the agenda's week holds the same
~900 closed changes at every size and any growth of generation with the table shows.

Database: --database-url or BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/changemgmt_bench_cab
(created and migrated if missing). Never point it at production.
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
    configure,
    interleaved,
    load_average,
    percentile,
    plain_static_files,
    recreate_database,
    report_row,
)


def parse_args():
    parser = argparse.ArgumentParser(description="CAB agenda generation and meeting page.")
    parser.add_argument("--database-url", default=os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/changemgmt_bench_cab"))
    parser.add_argument("--closed", type=int, default=100_000, help="closed changes in the history")
    parser.add_argument("--reseed", action="store_true", help="seed again (else reuse a seeded database)")
    parser.add_argument("--requests", type=int, default=50, help="timed page/floor pairs of the meeting page")
    return parser.parse_args()


ARGS = parse_args()
configure(ARGS.database_url)  # production settings: DEBUG off, persistent connections, this run's own folders
recreate_database(ARGS.database_url, drop=False)
import django  # noqa: E402

django.setup()
plain_static_files()

from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from seeding import Table, next_id, reset_sequence  # noqa: E402

from approvals.models import ApprovalSlot  # noqa: E402
from cab.models import ActionItem, AgendaItem, BoardMember, Meeting, Vote  # noqa: E402
from cab.services.agenda import generate_agenda  # noqa: E402
from changemgmt.models import User  # noqa: E402
from changemgmt.roles import Role  # noqa: E402
from changes.calendar.models import Freeze  # noqa: E402
from changes.models import ChangeRequest, Service, TestEvidence  # noqa: E402

IN_FLIGHT, SERVICES = 1_000, 200
CLOSED = ARGS.closed
CLOSED_PER_WEEK = 900  # the week: ~870 closed changes in the section-1 summary
CHUNK = 50_000  # closed changes per COPY transaction
FLIGHT_STATES = ["assessment", "approval", "testing", "ready", "deployed"]
SEATS = ["chair", "engineering", "operations", "security", "qa", "business"]


def seed_closed(rng, now, user) -> None:
    """CLOSED closed changes, COPY in chunks, each filed five days and planned and deployed a day before
    it closed (so "since the last meeting" selects a week's worth by any of those times, and the history
    lies on the calendar's time axis as real changes do)."""
    history = timedelta(weeks=max(1.0, CLOSED / CLOSED_PER_WEEK))
    seconds = int(history.total_seconds())
    with connection.cursor() as cursor:
        change_id = next_id(cursor, ChangeRequest._meta.db_table)
    done = 0
    while done < CLOSED:
        table = Table(ChangeRequest, now)
        for index in range(done, min(CLOSED, done + CHUNK)):
            closed = now - timedelta(seconds=rng.randrange(0, seconds))
            table.add(id=change_id, title=f"bench-closed-{index}", requester_id=user.pk, owner_id=user.pk,
                      state="closed", outcome=rng.choices(["successful", "failed", "rolled_back"], [95, 3, 2])[0],
                      risk_level=rng.choice(["low", "medium", "high"]), closed_at=closed,
                      change_type=rng.choices(["normal", "emergency", "standard"], [80, 4, 16])[0],
                      created_at=closed - timedelta(days=5), deployed_at=closed - timedelta(days=1),
                      planned_start=closed - timedelta(days=1, hours=1), planned_end=closed - timedelta(days=1),
                      updated_at=closed)
            change_id += 1
        with transaction.atomic(), connection.cursor() as cursor:
            done += table.flush(cursor.cursor)
        print(f"  {done:,} / {CLOSED:,} closed changes", file=sys.stderr, end="\r")
    with connection.cursor() as cursor:
        reset_sequence(cursor, ChangeRequest._meta.db_table)


def seed(rng, now):
    user, _ = User.objects.get_or_create(username="bench-requester", defaults={"email": "r@example.com"})
    user.groups.add(Group.objects.get(name=Role.REQUESTER))
    members = []
    for seat in SEATS:
        member, _ = User.objects.get_or_create(username=f"bench-{seat}", defaults={"email": f"{seat}@example.com"})
        member.set_password("bench-password")
        member.save()
        member.groups.add(Group.objects.get(name=Role.CAB_MEMBER))
        if seat == "chair":
            member.groups.add(Group.objects.get(name=Role.CAB_CHAIR))
        BoardMember.objects.get_or_create(user=member, seat=seat)
        members.append(member)
    services = Service.objects.bulk_create([Service(name=f"bench-svc-{i:03d}") for i in range(SERVICES)])
    seed_closed(rng, now, user)
    rows = []
    for index in range(IN_FLIGHT):
        start = now + timedelta(hours=rng.randrange(2, 21 * 24))
        state = rng.choice(FLIGHT_STATES)
        rows.append(ChangeRequest(title=f"bench-flight-{index}", requester=user, owner=user, state=state,
                                  risk_level=rng.choice(["low", "medium", "high", "critical"]),
                                  change_type=rng.choices(["normal", "emergency"], [97, 3])[0],
                                  planned_start=start, planned_end=start + timedelta(minutes=rng.choice([30, 60]))))
    with transaction.atomic():
        flight = ChangeRequest.objects.bulk_create(rows, batch_size=5000)
        through = ChangeRequest.services.through
        through.objects.bulk_create([through(changerequest_id=c.pk, service_id=rng.choice(services).pk)
                                     for c in flight], batch_size=5000)
        slots, evidence = [], []
        for change in flight:
            if change.state == "approval" and change.risk_level in ("high", "critical"):
                for role in ("peer", "manager", "security", "cab"):
                    slots.append(ApprovalSlot(change=change, role=role, rule="bench", policy="§3"))
                evidence.append(TestEvidence(change=change, test_type="unit", result="passed", summary="ok",
                                             recorded_by=user))
        ApprovalSlot.objects.bulk_create(slots, batch_size=5000)
        TestEvidence.objects.bulk_create(evidence, batch_size=5000)
        Freeze.objects.create(name="bench freeze", reason="bench", starts_at=now + timedelta(days=10),
                              ends_at=now + timedelta(days=12))
        ActionItem.objects.bulk_create([ActionItem(title=f"bench action {i}", owner=members[i % 6],
                                                   due_on=timezone.localdate() + timedelta(days=i),
                                                   created_by=members[0]) for i in range(10)])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return members


# The meeting page's floor: its items with their votes, one raw query, json.dumps.
MEETING_FLOOR_SQL = """
SELECT i.id, i.section, i.position, i.title, i.snapshot::text, v.choice, u.username
FROM cab_agendaitem i LEFT JOIN cab_vote v ON v.item_id = i.id LEFT JOIN changemgmt_user u ON u.id = v.voter_id
WHERE i.meeting_id = %s ORDER BY i.position, i.id, v.cast_at, v.id"""


def install_floor() -> None:
    from django.http import HttpResponse
    from django.urls import clear_url_caches, path

    from changemgmt import urls

    def floor(request, pk):
        with connection.cursor() as cursor:
            cursor.execute(MEETING_FLOOR_SQL, [pk])
            rows = cursor.fetchall()
        return HttpResponse(json.dumps(rows, default=str), content_type="application/json")

    urls.urlpatterns[:0] = [path("__floor__/meeting/<int:pk>/", floor)]
    clear_url_caches()


def main():
    call_command("migrate", verbosity=0)
    rng = random.Random(4)
    now = timezone.now()
    if ARGS.reseed or not ChangeRequest.objects.filter(title__startswith="bench-").exists():
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE cab_vote, cab_decision, cab_agendaitem, cab_attendance, cab_minutes, "
                           "cab_actionitem, cab_meeting, cab_boardmember, changes_changerequest CASCADE")
        Service.objects.filter(name__startswith="bench-").delete()
        started = time.perf_counter()
        seed(rng, now)
        print(f"seeded {CLOSED:,} closed + {IN_FLIGHT:,} in-flight changes in {time.perf_counter() - started:.1f} s")
    members = list(User.objects.filter(username__in=[f"bench-{s}" for s in SEATS]).order_by("pk"))
    counts = {"closed": ChangeRequest.objects.filter(state="closed").count(),
              "in flight": ChangeRequest.objects.exclude(state="closed").count()}
    size = f"{counts['in flight']:,} in flight, {counts['closed']:,} closed"
    print(f"data: {size}")

    # Agenda generation: a fresh meeting each run (the stored agenda is generated once per meeting);
    # the previous regular meeting a week ago makes the week the "since the last meeting" window.
    Meeting.objects.filter(title__startswith="bench-").delete()
    Meeting.objects.create(title="bench-previous", starts_at=now - timedelta(days=7),
                           ends_at=now - timedelta(days=7) + timedelta(hours=1))
    times, cpus, queries, items = [], [], [], []
    for run in range(5):
        start = now + timedelta(days=2, minutes=run)
        meeting = Meeting.objects.create(title=f"bench-meeting-{run}", kind="emergency", starts_at=start,
                                         ends_at=start + timedelta(hours=1))
        with CaptureQueriesContext(connection) as captured:
            began, cpu = time.perf_counter(), time.process_time()
            generate_agenda(meeting_id=meeting.pk)
            times.append((time.perf_counter() - began) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
        queries.append(len(captured))
        items.append(meeting.items.count())
    load = load_average()
    with connection.cursor() as cursor:
        cursor.execute("SELECT sum(octet_length(snapshot::text)) FROM cab_agendaitem WHERE meeting_id = %s",
                       [meeting.pk])
        snapshot_bytes = cursor.fetchone()[0]
    summary_item = AgendaItem.objects.get(meeting=meeting, section=1, change__isnull=True)
    print(f"agenda generation: median {statistics.median(times):.0f} ms, max {max(times):.0f} ms, "
          f"Python CPU median {statistics.median(cpus):.0f} ms, snapshots {snapshot_bytes / 1024:.0f} KiB, "
          f"{queries[-1]} queries (runs: {queries}), {items[-1]} items ({summary_item.title}), "
          f"load average {load:.1f}")
    print(report_row("CAB agenda generation (5 runs)", size, times, queries=queries[-1], load=load))

    # Meeting page with 40 agenda items (30 decisions with 6 votes each, 10 information items).
    source = list(AgendaItem.objects.filter(meeting__title="bench-meeting-0").order_by("-needs_decision",
                                                                                        "position"))
    page_meeting = Meeting.objects.create(title="bench-page", starts_at=now + timedelta(days=3),
                                          ends_at=now + timedelta(days=3, hours=1), agenda_generated_at=now)
    decision_items = [i for i in source if i.needs_decision][:30]
    info_items = [i for i in source if not i.needs_decision and i.section != 4][:10]
    created = AgendaItem.objects.bulk_create([
        AgendaItem(meeting=page_meeting, section=i.section, position=n, title=i.title, change_id=i.change_id,
                   slot_id=i.slot_id, needs_decision=i.needs_decision, snapshot=i.snapshot)
        for n, i in enumerate(decision_items + info_items)])
    Vote.objects.bulk_create([Vote(item=item, voter=member, choice=rng.choice(["approve", "reject", "abstain"]),
                                   cast_at=now) for item in created if item.needs_decision for member in members])
    install_floor()
    client = Client()
    client.force_login(members[0])
    url, floor_url = f"/cab/meetings/{page_meeting.pk}/", f"/__floor__/meeting/{page_meeting.pk}/"
    assert client.get(url).status_code == 200 and client.get(floor_url).status_code == 200
    samples = interleaved({"page": lambda: client.get(url), "floor": lambda: client.get(floor_url)}, ARGS.requests)
    load = load_average()
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    print(f"meeting page, {len(created)} items: p50 {statistics.median(samples['page']):.0f} ms, "
          f"p95 {percentile(samples['page'], 95):.0f} ms, floor p50 {statistics.median(samples['floor']):.1f} ms, "
          f"{len(captured)} queries, load average {load:.1f}")
    print(report_row(f"CAB meeting page ({len(created)} items)", size, samples["page"], samples["floor"],
                     len(captured), load))


if __name__ == "__main__":
    main()
