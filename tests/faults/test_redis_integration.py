"""A real Celery worker with embedded beat, against Redis (127.0.0.1:6379, database 15), sends each
SLA reminder and escalation of a change whose SLA is shortened to seconds exactly once.

Runs on PostgreSQL only: the worker is a separate process that must see the rows this test commits,
which needs a database server both processes share (the SQLite test database lives in memory).
Skipped with the reason when Redis is not reachable. The only waiting is a bounded poll of the
database (every 0.5 s, at most 60 s)."""
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection

from approvals.models import ApprovalSlot, SlaStep
from changemgmt.models import Notification
from changemgmt.roles import Role
from changes import services
from tests.support import factories as f

ROOT = Path(__file__).resolve().parents[2]
BROKER = "redis://127.0.0.1:6379/15"
SLA_SECONDS = 6  # reminders at 3 s and 6 s, escalation to managers at 6 s, to the CAB chair at 12 s
STEPS = {"remind_50", "remind_100", "escalate_manager", "escalate_cab_chair"}
DEADLINE = 60.0


def redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def every_second_schedule():
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    PeriodicTask.objects.all().delete()
    interval, _ = IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.create(name="test: sla sweep", task="approvals.sla_sweep", interval=interval)


def start_worker(tmp_path):
    import redis

    redis.Redis.from_url(BROKER).flushdb()
    env = {**os.environ, "DATABASE_URL": database_url(), "CELERY_BROKER_URL": BROKER,
           "CELERY_TASK_ALWAYS_EAGER": "false", "SLA_SECONDS_OVERRIDE": str(SLA_SECONDS),
           "CHANGEMGMT_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "changemgmt.settings"}
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115 (closed with the worker)
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "changemgmt", "worker", "-B", "--pool=solo", "--loglevel=INFO",
         "--schedule", str(tmp_path / "beat-schedule")],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    return process, log


def stop_worker(process, log):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    log.close()


def test_real_worker_and_beat_send_each_reminder_exactly_once(settings, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the worker process must share the test database (SQLite's is in memory)")
    if not redis_reachable():
        pytest.skip("Redis is not reachable at 127.0.0.1:6379")
    settings.SLA_SECONDS_OVERRIDE = SLA_SECONDS
    boss = f.make_user("bea", Role.MANAGER, team="Platform")
    requester = f.make_user("alice", Role.REQUESTER, team="Payments")
    peer = f.make_user("bob", Role.PEER_REVIEWER, team="Platform", manager=boss)
    f.make_user("pat", Role.PEER_REVIEWER, team="Platform", manager=boss)
    chair = f.make_user("carol", Role.CAB_CHAIR, team="Release")
    every_second_schedule()
    process, log = start_worker(tmp_path)
    try:
        change = services.create_change(actor=requester, data=f.complete_fields())
        services.run_transition(change_id=change.pk, name="submit", actor=requester)
        services.score_risk(change_id=change.pk, actor=requester, data=f.LOW_RISK)
        services.run_transition(change_id=change.pk, name="assess", actor=requester)
        slots = list(ApprovalSlot.objects.filter(change=change))
        assert len(slots) == 2  # two peer reviewers for an application change
        expected = {(slot.pk, step) for slot in slots for step in STEPS}
        started = time.monotonic()
        while time.monotonic() - started < DEADLINE:
            if set(SlaStep.objects.values_list("slot_id", "step")) >= expected:
                break
            assert process.poll() is None, (tmp_path / "worker.log").read_text()[-3000:]
            time.sleep(0.5)
        sent = list(SlaStep.objects.values_list("slot_id", "step"))
        assert set(sent) == expected, (tmp_path / "worker.log").read_text()[-3000:]
        assert len(sent) == len(expected)  # each step once
        kinds = Counter(Notification.objects.values_list("user__username", "kind"))
        # 50 % and 100 %, one message each naming both slots (only the 100 % one if the worker's
        # first sweep came after it: a late sweep sends the latest step only).
        assert kinds[("bob", "sla_reminder")] in (1, 2)
        assert kinds[("pat", "sla_reminder")] == kinds[("bob", "sla_reminder")]
        assert kinds[("bea", "sla_escalation")] <= 1  # the peers' manager at the breach, unless superseded
        assert kinds[(chair.username, "sla_escalation")] == 1  # then the CAB chair
        assert kinds[("alice", "sla_reminder")] == 0  # the author is never asked
        assert peer.notifications.filter(kind="approval_requested").count() == 2
    finally:
        stop_worker(process, log)
    assert process.returncode is not None
