"""The embedded default keeps up: SQLite and the file-system broker (as `./run demo` runs them) drain
1,000 queued notifications — inbox rows whose mail tasks were queued while no worker ran — with one
worker (`--concurrency=1`, as `./run demo`).

    .venv/bin/python bench/bench_notifications.py                   # 1,000 notifications
    .venv/bin/python bench/bench_notifications.py --notifications 200

Uses a fresh temporary directory for the SQLite file, the broker's queue and the mail files (the file
e-mail backend), so it never touches the app's own `var/` or database. Queues each notification in
its own transaction (the worst case: one mail task per notification, as 1,000 separate actions
would), then starts the worker and measures until every row is mailed; then writes as many again while the worker runs
and measures how far mail lags behind. Prints the time beside the target (under 60 s) and checks
each notification was mailed exactly once (one Message-ID each).
"""
import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 60.0


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notifications", type=int, default=1_000)
    parser.add_argument("--timeout", type=float, default=300.0, help="give up after this many seconds")
    return parser.parse_args()


def environment(var: Path) -> dict:
    """Production settings (DEBUG off, persistent connections) on the demo's SQLite file and file-system
    broker, all in this run's folder `var`."""
    env = {**os.environ, "CHANGEMGMT_VAR_DIR": str(var), "DATABASE_URL": f"sqlite:///{var}/db.sqlite3",
           "SECRET_KEY": "bench-only-secret-key-" + "x" * 40, "LEDGER_SIGNING_KEY_AUTOGENERATE": "true",
           "ALLOWED_HOSTS": "localhost", "DATABASE_CONN_MAX_AGE": "600",
           "CELERY_BROKER_URL": "filesystem://", "CELERY_TASK_ALWAYS_EAGER": "false",
           "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
           "DJANGO_SETTINGS_MODULE": "changemgmt.settings"}
    env.pop("DEBUG", None)
    return env


def queue(count: int, offset: int = 0) -> None:
    """In this process (settings from the environment): one notify() per transaction."""
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.db import transaction

    from changemgmt.models import NotificationKind, User
    from changemgmt.notifications import notify

    users = [User.objects.get_or_create(username=f"bench-{i}", defaults={"email": f"bench-{i}@example.com"})[0]
             for i in range(20)]
    for n in range(offset, offset + count):
        with transaction.atomic():
            notify(user=users[n % len(users)], kind=NotificationKind.APPROVAL_REQUESTED,
                   title=f"CHG-{n}: approval requested", url=f"/changes/{n}/")


def unmailed() -> int:
    from changemgmt.models import Notification

    return Notification.objects.filter(emailed_at__isnull=True).count()


def message_ids(mail_dir: Path) -> Counter:
    ids = Counter()
    for path in mail_dir.glob("*.log"):
        ids.update(re.findall(r"^Message-ID: (<notification-\d+@[^>]+>)$", path.read_text(), re.MULTILINE))
    return ids


def main():
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-notifications-") as tmp:
        var = Path(tmp)
        (var / "broker" / "processed").mkdir(parents=True)
        (var / "mail").mkdir()
        env = environment(var)
        os.environ.update(env)
        subprocess.run([sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env,
                       check=True)
        queue(args.notifications)
        queued = len(list((var / "broker").glob("*.msg")))
        log = open(var / "worker.log", "w")  # noqa: SIM115 (closed below)
        started = time.monotonic()
        # One worker with embedded beat (the migrations' schedules), as `./run demo` runs them.
        command = [sys.executable, "-m", "celery", "-A", "changemgmt", "worker", "--concurrency=1",
                   "--loglevel=" + os.environ.get("BENCH_LOGLEVEL", "WARNING"), "-B",
                   "--scheduler", "django_celery_beat.schedulers:DatabaseScheduler"]
        worker = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                  start_new_session=True)
        try:
            while unmailed() and time.monotonic() - started < args.timeout:
                if worker.poll() is not None:
                    sys.exit(f"the worker died: {(var / 'worker.log').read_text()[-2000:]}")
                time.sleep(0.2)
            drained = time.monotonic() - started
            left = unmailed()
            # Then live load: as many again written while the worker runs.
            written = time.monotonic()
            queue(args.notifications, offset=args.notifications)
            last_write = time.monotonic()
            while unmailed() and time.monotonic() - started < args.timeout:
                time.sleep(0.2)
            live_lag = time.monotonic() - last_write
            left += unmailed()
        finally:
            os.killpg(worker.pid, signal.SIGTERM)
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait()
            log.close()
        ids = message_ids(var / "mail")
        print(f"queued: {args.notifications} notifications, {queued} broker messages")
        print(f"all mailed after {drained:.1f} s (target < {TARGET_SECONDS:.0f} s, {args.notifications} notifications; "
              f"worker start included): {'met' if not left and drained < TARGET_SECONDS else 'MISSED'}")
        print(f"live: {args.notifications} more written in {last_write - written:.1f} s while the worker ran; "
              f"all mailed {live_lag:.1f} s after the last write")
        print(f"mails: {sum(ids.values())}, distinct notifications mailed: {len(ids)}, "
              f"mailed twice: {sum(1 for n in ids.values() if n > 1)}, never mailed: {left}")


if __name__ == "__main__":
    main()
