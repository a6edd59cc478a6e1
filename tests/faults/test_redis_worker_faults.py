"""Faults lose nothing and duplicate nothing, with real processes: a Celery worker killed mid-burst,
two beats at once, a broker outage, a cache outage and a database restart.

Each test starts what it breaks on a port of its own — redis-server on 6390–6393, PostgreSQL on
5440 — and stops it again; the shared Redis (6379) and PostgreSQL (5432) are never touched. Workers
run with their beat embedded (`-B`, django-celery-beat's database scheduler) and mail to files
(Django's file e-mail backend), so a mail is counted by its Message-ID (one per notification: a
re-send after a crash is the same message to a mail client). Worker tests need PostgreSQL: the
worker is a separate process that must see this test's rows. All waiting is a bounded poll, and
every process a test starts is stopped (process group) when it ends."""
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from approvals.models import ApprovalSlot, SlaStep
from cab.choices import MeetingKind, MeetingStatus, Seat
from cab.models import BoardMember, Meeting, Minutes
from changemgmt.celery import app
from changemgmt.models import Notification, NotificationKind
from changemgmt.notifications import Message, notify_many
from changemgmt.roles import Role
from changes import services
from tests.support import factories as f

ROOT = Path(__file__).resolve().parents[2]
DEADLINE = 90.0
SLA_SECONDS = 6

pytestmark = [pytest.mark.redis]
needs_redis_server = pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed")


def wait_for(predicate, deadline=DEADLINE, interval=0.2, processes=()):
    started = time.monotonic()
    while time.monotonic() - started < deadline:
        if predicate():
            return True
        for process in processes:
            assert process.poll() is None, f"{process.args[:6]} exited with {process.returncode}"
        time.sleep(interval)
    return False


def stop_group(process, sig=signal.SIGTERM, timeout=20):
    if process.poll() is None:
        try:
            os.killpg(process.pid, sig)
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        except ProcessLookupError:
            pass


class RedisServer:
    """A redis-server of the test's own on `port` (no persistence), started and stopped at will."""

    def __init__(self, port: int, workdir: Path):
        self.port, self.workdir, self.process = port, workdir, None
        self.url = f"redis://127.0.0.1:{port}/0"

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.workdir)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)
        assert wait_for(self.ping, deadline=15), f"redis-server on {self.port} did not start"

    def stop(self):
        if self.process is not None:
            stop_group(self.process)
            self.process = None
        assert wait_for(lambda: not self.ping(), deadline=10)

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False


@pytest.fixture
def own_redis(request, tmp_path):
    port = request.param if hasattr(request, "param") else 6390
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    server = RedisServer(port, tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def worker_db():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the worker process must share the test database (SQLite's is in memory)")


@contextmanager
def tasks_go_to(broker_url):
    """This process queues tasks on `broker_url` instead of running them inline."""
    saved = (app.conf.broker_url, app.conf.task_always_eager)
    app.conf.broker_url, app.conf.task_always_eager = broker_url, False
    app._pool = app.amqp._producer_pool = None
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.task_always_eager = saved
        app._pool = app.amqp._producer_pool = None


def database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def every_second(*tasks):
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    PeriodicTask.objects.all().delete()
    interval, _ = IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.SECONDS)
    for task in tasks:
        PeriodicTask.objects.create(name=f"test: {task}", task=task, interval=interval)


def start_worker(var: Path, broker: str, *, supervised=False):
    """A worker with embedded beat; its mail goes to files under var/mail."""
    (var / "mail").mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DATABASE_URL": database_url(), "CELERY_BROKER_URL": broker,
           "CELERY_TASK_ALWAYS_EAGER": "false", "SLA_SECONDS_OVERRIDE": str(SLA_SECONDS),
           "CHANGEMGMT_VAR_DIR": str(var), "DJANGO_SETTINGS_MODULE": "changemgmt.settings",
           "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend", "SUPERVISE_BACKOFF": "1"}
    command = [sys.executable, "-m", "celery", "-A", "changemgmt", "worker", "-B", "--pool=solo",
               "--loglevel=INFO", "--hostname", f"w-{var.name}@%h", "--schedule", str(var / "beat-schedule")]
    if supervised:
        command = [str(ROOT / "run"), "supervise", "worker", *command]
    log = open(var / "worker.log", "w")  # noqa: SIM115 (closed when the test ends)
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    process.log = log
    return process


@pytest.fixture
def workers():
    started = []
    yield started
    for process in started:
        stop_group(process)
        process.log.close()


def message_ids(*dirs: Path) -> Counter:
    ids = Counter()
    for folder in dirs:
        for path in (folder / "mail").glob("*.log"):
            ids.update(re.findall(r"^Message-ID: <notification-(\d+)@", path.read_text(), re.MULTILINE))
    return Counter({int(k): v for k, v in ids.items()})


def mailed() -> int:
    return Notification.objects.filter(emailed_at__isnull=False).count()


def burst(users, count):
    notify_many([Message(users[n % len(users)].pk, NotificationKind.APPROVAL_REQUESTED, f"CHG-{n}: approval",
                         url=f"/changes/{n}/") for n in range(count)])


@needs_redis_server
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_burst_leaves_no_mail_unsent_and_none_sent_twice(worker_db, own_redis, workers,
                                                                            tmp_path):
    users = [f.make_user(f"reader{i}", Role.PEER_REVIEWER) for i in range(10)]
    every_second("changemgmt.send_notification_emails")
    first = start_worker(tmp_path / "first", own_redis.url)
    workers.append(first)
    with tasks_go_to(own_redis.url):
        burst(users, 1500)
    total = Notification.objects.count()
    assert wait_for(lambda: mailed() >= 50, interval=0.02, processes=[first])
    stop_group(first, signal.SIGKILL)  # killed mid-burst: no shutdown, no cleanup
    stuck = Notification.objects.filter(emailed_at__isnull=True).exclude(claimed_by="")
    assert mailed() < total and stuck.exists(), "the kill did not land mid-burst"
    # The claims' expiry (CLAIM_SECONDS, 5 minutes) passes; then a new worker's sweep sends the rest.
    stuck.update(claimed_until=timezone.now() - timedelta(seconds=1))
    second = start_worker(tmp_path / "second", own_redis.url)
    workers.append(second)
    assert wait_for(lambda: mailed() == total, processes=[second]), (tmp_path / "second/worker.log").read_text()[-3000:]
    ids = message_ids(tmp_path / "first", tmp_path / "second")
    assert set(ids) == set(Notification.objects.values_list("pk", flat=True))  # every notification mailed
    assert sum(1 for n in ids.values() if n > 1) <= 1  # at most the one mail in flight at the kill, same Message-ID


@needs_redis_server
@pytest.mark.django_db(transaction=True)
def test_two_beats_at_once_send_each_reminder_and_each_mail_once(worker_db, own_redis, workers, tmp_path, settings):
    settings.SLA_SECONDS_OVERRIDE = SLA_SECONDS
    boss = f.make_user("bea", Role.MANAGER, team="Platform")
    requester = f.make_user("alice", Role.REQUESTER, team="Payments")
    f.make_user("bob", Role.PEER_REVIEWER, team="Platform", manager=boss)
    f.make_user("pat", Role.PEER_REVIEWER, team="Platform", manager=boss)
    f.make_user("carol", Role.CAB_CHAIR, team="Release")
    every_second("approvals.sla_sweep", "changemgmt.send_notification_emails")
    pair = [start_worker(tmp_path / name, own_redis.url) for name in ("one", "two")]
    workers.extend(pair)
    with tasks_go_to(own_redis.url):
        change = services.create_change(actor=requester, data=f.complete_fields())
        services.run_transition(change_id=change.pk, name="submit", actor=requester)
        services.score_risk(change_id=change.pk, actor=requester, data=f.LOW_RISK)
        services.run_transition(change_id=change.pk, name="assess", actor=requester)
        burst(list(type(requester).objects.all()), 300)
    expected = {(slot.pk, step) for slot in ApprovalSlot.objects.filter(change=change)
                for step in ("remind_50", "remind_100", "escalate_manager", "escalate_cab_chair")}

    def done():
        return set(SlaStep.objects.values_list("slot_id", "step")) >= expected and not Notification.objects.filter(
            emailed_at__isnull=True).exists()

    assert wait_for(done, processes=pair), (tmp_path / "one/worker.log").read_text()[-3000:]
    assert SlaStep.objects.count() == len(expected)  # each step once
    for name in ("one", "two"):  # both beats really ran the sweeps
        assert "Scheduler: Sending due task test: approvals.sla_sweep" in (tmp_path / name / "worker.log").read_text()
    ids = message_ids(tmp_path / "one", tmp_path / "two")
    assert set(ids) == set(Notification.objects.values_list("pk", flat=True))
    assert set(ids.values()) == {1}  # no mail twice


@needs_redis_server
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("own_redis", [6391], indirect=True)
def test_cab_mail_queued_while_the_broker_is_down_goes_out_when_it_is_back(worker_db, own_redis, workers,
                                                                           tmp_path):
    from cab.services import minutes
    from cab.services.meetings import convene_emergency

    chair = f.make_user("carol", Role.CAB_CHAIR, Role.CAB_MEMBER, team="Release")
    members = [chair, f.make_user("cameron", Role.CAB_MEMBER, team="Ops"), f.make_user("quinn", Role.CAB_MEMBER)]
    for user, seat in zip(members, [Seat.CHAIR, Seat.OPERATIONS, Seat.QA], strict=True):
        BoardMember.objects.create(user=user, seat=seat)
    now = timezone.now()
    held = Meeting.objects.create(kind=MeetingKind.REGULAR, title="Weekly CAB (held)", status=MeetingStatus.ENDED,
                                  starts_at=now - timedelta(hours=2), ends_at=now - timedelta(hours=1),
                                  invitations_sent_at=now)
    every_second("cab.send_due_mail", "changemgmt.send_notification_emails")
    worker = start_worker(tmp_path / "w", own_redis.url, supervised=True)  # restarted if the outage kills it
    workers.append(worker)
    own_redis.stop()
    with tasks_go_to(own_redis.url):
        emergency = convene_emergency(actor=chair, reason="Card payments failing")  # answered, not a 500
        minutes.publish(meeting_id=held.pk, actor=chair)
    time.sleep(3)  # the outage lasts a while
    assert Meeting.objects.get(pk=emergency.pk).invitations_sent_at is None
    own_redis.start()

    def sent():
        return (Meeting.objects.get(pk=emergency.pk).invitations_sent_at is not None
                and Minutes.objects.get(meeting=held).distributed_at is not None
                and not Notification.objects.filter(emailed_at__isnull=True).exists())

    assert wait_for(sent), (tmp_path / "w/worker.log").read_text()[-3000:]
    mail = "".join(p.read_text() for p in (tmp_path / "w/mail").glob("*.log"))
    assert mail.count('filename="invite.ics"') == len(members)
    assert mail.count(f'filename="cab-minutes-{held.pk}.md"') == len(members)
    assert set(message_ids(tmp_path / "w").values()) == {1}


@needs_redis_server
@pytest.mark.django_db
@pytest.mark.parametrize("own_redis", [6392], indirect=True)
def test_a_cache_outage_degrades_to_the_database_instead_of_failing_requests(own_redis, settings, client,
                                                                             requester):
    settings.CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": own_redis.url,
                                   "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.5,
                                               "SOCKET_TIMEOUT": 0.5}}}
    client.force_login(requester)  # the session lives in the database, not in the cache
    pages = ["/changes/", "/api/changes/", "/api/approvals/mine/", "/inbox/"]
    assert [client.get(page).status_code for page in pages] == [200] * len(pages)
    own_redis.stop()
    started = time.monotonic()
    assert [client.get(page).status_code for page in pages] == [200] * len(pages)
    assert time.monotonic() - started < 10  # short socket timeouts: an outage does not stall pages
    own_redis.start()
    assert [client.get(page).status_code for page in pages] == [200] * len(pages)


def test_the_configured_redis_cache_ignores_an_outage():
    """What settings.py builds from CACHE_URL (a port nobody listens on): reads miss, writes are skipped."""
    env = {**os.environ, "CACHE_URL": "redis://127.0.0.1:1/0", "DEBUG": "1",
           "DJANGO_SETTINGS_MODULE": "changemgmt.settings"}
    script = ("import django; django.setup(); from django.core.cache import cache; from django.conf import settings; "
              "cache.set('k', 1); print(cache.get('k'), settings.SESSION_ENGINE)")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["None", "changemgmt.sessions"]  # database sessions, not the cache


def postgres_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    return found[-1].parent if found else None


@pytest.fixture
def own_postgres():
    """A PostgreSQL cluster of the test's own on port 5440 (trust auth, run as the postgres user)."""
    bindir = postgres_bin()
    if bindir is None or shutil.which("su") is None:
        pytest.skip("PostgreSQL server binaries are not installed")
    data = Path(tempfile.mkdtemp(prefix="h6-pg-"))
    shutil.chown(data, "postgres")

    def as_postgres(*args):
        return subprocess.run(["su", "postgres", "-c", " ".join(args)], capture_output=True, text=True, timeout=120)

    init = as_postgres(str(bindir / "initdb"), "-D", str(data / "db"), "--auth=trust", "-U", "postgres")
    assert init.returncode == 0, init.stderr
    options = f"'-p 5440 -k {data} -c listen_addresses=127.0.0.1'"
    pg_ctl = [str(bindir / "pg_ctl"), "-D", str(data / "db"), "-o", options, "-l", str(data / "log"), "-w"]
    assert as_postgres(*pg_ctl, "start").returncode == 0
    try:
        yield lambda: as_postgres(*pg_ctl, "-m", "fast", "restart")
    finally:
        as_postgres(*pg_ctl, "-m", "immediate", "stop")
        shutil.rmtree(data, ignore_errors=True)


@pytest.mark.django_db
def test_an_idle_connection_survives_a_database_restart(own_postgres):
    """With persistent connections (CONN_MAX_AGE) the first request after a PostgreSQL restart used
    to fail; settings.py turns CONN_HEALTH_CHECKS on, so the request reconnects instead."""
    from django.conf import settings
    from django.db.utils import ConnectionHandler

    config = {**settings.DATABASES["default"], "ENGINE": "django.db.backends.postgresql", "NAME": "postgres",
              "USER": "postgres", "PASSWORD": "", "HOST": "127.0.0.1", "PORT": "5440", "CONN_MAX_AGE": 600,
              "OPTIONS": {}, "TEST": {}}
    assert config["CONN_HEALTH_CHECKS"] is True
    database = ConnectionHandler({"default": config})["default"]

    def request():
        database.close_if_unusable_or_obsolete()  # what Django does when a request starts and ends
        with database.cursor() as cursor:
            cursor.execute("SELECT 1")
            result = cursor.fetchone()[0]
        database.close_if_unusable_or_obsolete()
        return result

    try:
        assert request() == 1
        restart = own_postgres()
        assert restart.returncode == 0, restart.stderr
        assert request() == 1  # not "server closed the connection unexpectedly"
    finally:
        database.close()


def test_the_embedded_default_mails_every_notification_once_while_its_worker_runs():
    """SQLite and the file-system broker, one worker, as `./run demo`: bench_notifications.py with 76
    notifications queued and 76 more written while the worker runs (38 of 76 used to stay unmailed)."""
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "bench_notifications.py"), "--notifications", "76",
                             "--timeout", "120"], cwd=ROOT, capture_output=True, text=True, timeout=400)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "mails: 152, distinct notifications mailed: 152, mailed twice: 0, never mailed: 0" in result.stdout
