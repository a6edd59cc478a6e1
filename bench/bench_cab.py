"""Benchmark of the CAB on PostgreSQL: agenda generation for a week with 1,000 changes in flight
and 100,000 closed, and the meeting page with 40 agenda items.

    .venv/bin/python bench/bench_cab.py            # seeds once into its own database, later runs reuse it
    .venv/bin/python bench/bench_cab.py --reseed   # seed again
    .venv/bin/python bench/bench_cab.py --reseed --closed 10000   # a smaller history (in flight stays 1,000)

Database: BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/changemgmt_bench_cab
(created and migrated if missing). Never point it at production.
"""
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import configure, load_average, plain_static_files, recreate_database  # noqa: E402

BENCH_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/changemgmt_bench_cab")
configure(BENCH_URL)  # production settings: DEBUG off, persistent connections, this run's own folders
recreate_database(BENCH_URL, drop=False)
import django  # noqa: E402

django.setup()
plain_static_files()

from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import F  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from approvals.models import ApprovalSlot  # noqa: E402
from cab.models import ActionItem, AgendaItem, BoardMember, Meeting, Vote  # noqa: E402
from cab.services.agenda import generate_agenda  # noqa: E402
from changemgmt.models import User  # noqa: E402
from changemgmt.roles import Role  # noqa: E402
from changes.calendar.models import Freeze  # noqa: E402
from changes.models import ChangeRequest, Service, TestEvidence  # noqa: E402

IN_FLIGHT, SERVICES = 1_000, 200
CLOSED = int(sys.argv[sys.argv.index("--closed") + 1]) if "--closed" in sys.argv else 100_000
FLIGHT_STATES = ["assessment", "approval", "testing", "ready", "deployed"]
SEATS = ["chair", "engineering", "operations", "security", "qa", "business"]


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
    rows = []
    for index in range(CLOSED):
        closed = now - timedelta(minutes=rng.randrange(0, 2 * 365 * 24 * 60))
        rows.append(ChangeRequest(title=f"bench-closed-{index}", requester=user, owner=user, state="closed",
                                  outcome=rng.choices(["successful", "failed", "rolled_back"], [95, 3, 2])[0],
                                  risk_level=rng.choice(["low", "medium", "high"]), closed_at=closed,
                                  change_type=rng.choices(["normal", "emergency", "standard"], [80, 4, 16])[0]))
    for index in range(IN_FLIGHT):
        start = now + timedelta(hours=rng.randrange(2, 21 * 24))
        state = rng.choice(FLIGHT_STATES)
        rows.append(ChangeRequest(title=f"bench-flight-{index}", requester=user, owner=user, state=state,
                                  risk_level=rng.choice(["low", "medium", "high", "critical"]),
                                  change_type=rng.choices(["normal", "emergency"], [97, 3])[0],
                                  planned_start=start, planned_end=start + timedelta(minutes=rng.choice([30, 60]))))
    with transaction.atomic():
        created = ChangeRequest.objects.bulk_create(rows, batch_size=5000)
        flight = [c for c in created if c.state != "closed"]
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
    backdate()
    return members


def backdate():
    """bulk_create stamps created_at with the seeding time: give closed changes their real history
    (filed and deployed days before they closed), so "since the last meeting" selects a week's worth."""
    ChangeRequest.objects.filter(state="closed", created_at__gt=F("closed_at")).update(
        created_at=F("closed_at") - timedelta(days=5), deployed_at=F("closed_at") - timedelta(days=1))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def percentile(samples, p):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main():
    call_command("migrate", verbosity=0)
    rng = random.Random(4)
    now = timezone.now()
    if "--reseed" in sys.argv or not ChangeRequest.objects.filter(title__startswith="bench-").exists():
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE cab_vote, cab_decision, cab_agendaitem, cab_attendance, cab_minutes, "
                           "cab_actionitem, cab_meeting, cab_boardmember, changes_changerequest CASCADE")
        Service.objects.filter(name__startswith="bench-").delete()
        started = time.perf_counter()
        seed(rng, now)
        print(f"seeded {CLOSED:,} closed + {IN_FLIGHT:,} in-flight changes in {time.perf_counter() - started:.1f} s")
    backdate()
    members = list(User.objects.filter(username__in=[f"bench-{s}" for s in SEATS]).order_by("pk"))
    counts = {"closed": ChangeRequest.objects.filter(state="closed").count(),
              "in flight": ChangeRequest.objects.exclude(state="closed").count()}
    print(f"data: {counts['closed']:,} closed, {counts['in flight']:,} in flight")

    # Agenda generation: a fresh meeting each run (the stored agenda is generated once per meeting).
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
    with connection.cursor() as cursor:
        cursor.execute("SELECT sum(octet_length(snapshot::text)) FROM cab_agendaitem WHERE meeting_id = %s",
                       [meeting.pk])
        snapshot_bytes = cursor.fetchone()[0]
    print(f"agenda generation: median {statistics.median(times):.0f} ms, max {max(times):.0f} ms, "
          f"Python CPU median {statistics.median(cpus):.0f} ms, snapshots {snapshot_bytes / 1024:.0f} KiB, "
          f"{queries[-1]} queries (runs: {queries}), {items[-1]} items, load average {load_average():.1f}")

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
    client = Client()
    client.force_login(members[0])
    url = f"/cab/meetings/{page_meeting.pk}/"
    for _ in range(3):
        assert client.get(url).status_code == 200
    samples = []
    for _ in range(50):
        began = time.perf_counter()
        client.get(url)
        samples.append((time.perf_counter() - began) * 1000)
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    print(f"meeting page, {len(created)} items: p50 {statistics.median(samples):.0f} ms, "
          f"p95 {percentile(samples, 95):.0f} ms, {len(captured)} queries, load average {load_average():.1f}")


if __name__ == "__main__":
    main()
