"""The pipeline deploy gate under load on PostgreSQL: its answer time with 10,000 changes, and the polls a
2-worker gunicorn server sustains against the 100 requests/s that 1,000 pipelines polling every 10 s need.

    .venv/bin/python bench/bench_pipeline_gate.py                       # full size
    .venv/bin/python bench/bench_pipeline_gate.py --changes 500 --targets 10 --pipelines 50 --duration 3

It uses its own database (default postgres://postgres@127.0.0.1:5432/changemgmt_bench_gate, or
BENCH_DATABASE_URL), dropped and created each run, and a temporary folder for the signing key and static
files. Production settings (DEBUG off), persistent database connections (DATABASE_CONN_MAX_AGE=60).

1. Seed: `--changes` changes by batched bulk inserts (every state, one service each, row history), plus
   `--targets` changes filed, submitted, scored and assessed through changes.services, so they sit in
   approval with their slots: a pipeline asking about one is told to wait (the everyday poll). A pipeline
   token scoped to their service is issued through people_services.
2. In process (Django's test Client, server time only): p50/p95 of a first ask of a run (a new decision:
   the gate's evaluation, a decision row and its ledger entry) and of a repeated poll of a run (the stored
   decision returned, the change row locked and re-evaluated, nothing written), and the median Python CPU
   time of one request (what a loaded machine does not inflate: the rest is waiting for PostgreSQL), and
   the queries one request of each kind makes.
3. Over HTTP: gunicorn with 2 sync workers; a pool of up to 100 runs (spread over the target changes) each
   asks once (warm-up: one decision each), then `--clients` concurrent clients poll them round-robin as
   fast as the server answers for `--duration` seconds: requests/s, p50/p95 and errors, against the
   `--pipelines` / 10 s the server must sustain (1,000 pipelines: 100 requests/s).
"""
import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/changemgmt_bench_gate"
TARGET_P95_MS = 20
POLL_INTERVAL_S = 10
DIGEST = "sha256:" + "ab" * 32
POOL = 100  # distinct runs polled over HTTP (see over_http)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--changes", type=int, default=10_000)
    parser.add_argument("--targets", type=int, default=100, help="changes in approval that pipelines ask about")
    parser.add_argument("--requests", type=int, default=200, help="timed in-process requests per kind")
    parser.add_argument("--pipelines", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=6, help="concurrent HTTP clients (4-8)")
    parser.add_argument("--duration", type=float, default=15.0, help="seconds of HTTP polling")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    return parser.parse_args()


def configure(database_url: str, folder: Path) -> dict:
    env = {
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
        "LEDGER_SIGNING_KEY_AUTOGENERATE": "true",
        "ALLOWED_HOSTS": "testserver,127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "CHANGEMGMT_VAR_DIR": str(folder / "var"),
        "STATIC_ROOT": str(folder / "static"),
        "CELERY_TASK_ALWAYS_EAGER": "true",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "LOG_LEVEL": "WARNING",
        "DATABASE_CONN_MAX_AGE": "60",
        "DJANGO_SETTINGS_MODULE": "changemgmt.settings",
    }
    for name in ("var", "static"):
        (folder / name).mkdir(parents=True, exist_ok=True)
    os.environ.update(env)
    os.environ.pop("DEBUG", None)
    return env


def recreate_database(database_url: str) -> None:
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(database_url)
    admin = psycopg.connect(host=config["HOST"] or None, port=config["PORT"] or None, user=config["USER"] or None,
                            password=config["PASSWORD"] or None, dbname="postgres", autocommit=True)
    with admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{config["NAME"]}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{config["NAME"]}"')


def seed(count: int, targets: int) -> tuple[list, str]:
    """Bulk rows for volume, then target changes through the services; returns (targets, token)."""
    from django.db import transaction
    from django.utils import timezone

    from changemgmt.people_services import issue_token
    from changes import services
    from changes.choices import ChangeType, State
    from changes.models import ChangeRequest
    from demo import people as demo
    from tests.support import factories as f

    people = {user.username: user for user in demo.ensure_people()}
    catalog, _templates = demo.ensure_catalog()
    author, now = people["alice"], timezone.now()
    states = list(State.values)
    with transaction.atomic():
        for offset in range(0, count, 2000):
            rows = []
            for index in range(offset, min(offset + 2000, count)):
                start = now + timedelta(days=index % 180 - 120, hours=index % 4)
                rows.append(ChangeRequest(
                    title=f"Bench change {index}", description="Bench data.", requester=author, owner=author,
                    team_id=author.team_id, state=states[index % len(states)], change_type=ChangeType.NORMAL,
                    planned_start=start, planned_end=start + timedelta(minutes=45), risk_level="low",
                    external_source="jira", external_key=f"BENCH-{index}"))
            created = ChangeRequest.objects.bulk_create(rows)
            through = ChangeRequest.services.through
            through.objects.bulk_create([through(changerequest_id=change.pk,
                                                 service_id=catalog[change.pk % len(catalog)].pk)
                                         for change in created])
            ChangeRequest.history.bulk_history_create(created, default_user=author)
    service = f.make_service()  # payments-api, the factories' service
    filed = []
    for _ in range(targets):
        change = services.create_change(actor=author, data=f.complete_fields(services=[service.pk]))
        services.run_transition(change_id=change.pk, name="submit", actor=author)
        services.score_risk(change_id=change.pk, actor=author, data=f.LOW_RISK)
        filed.append(services.run_transition(change_id=change.pk, name="assess", actor=author).reference)
    _token, plain = issue_token(user=people["ada"], name="bench pipelines", kind="pipeline", service_ids=[service.pk])
    return filed, plain


def body(change: str, pipeline: int, run: int = 1) -> str:
    return json.dumps({"change": change, "service": "payments-api", "environment": "production",
                       "artefact_digest": DIGEST, "pipeline_id": f"bench/pipeline-{pipeline}", "run_id": str(run)})


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def in_process(targets: list, token: str, requests: int) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    cpu = []

    def ask(payload):
        started, cpu_started = time.perf_counter(), time.process_time()
        answer = client.post("/api/pipeline/gate/", payload, content_type="application/json")
        elapsed = (time.perf_counter() - started) * 1000
        cpu.append((time.process_time() - cpu_started) * 1000)
        assert answer.status_code == 200 and answer.json()["decision"] == "wait", answer.content[:300]
        return elapsed

    for warm in range(5):
        ask(body(targets[0], 900_000 + warm))
    cpu.clear()
    first = [ask(body(targets[index % len(targets)], 1_000_000 + index)) for index in range(requests)]
    first_cpu = list(cpu)
    cpu.clear()
    repeat = [ask(body(targets[index % 20 % len(targets)], 1_000_000 + index % 20)) for index in range(requests)]
    queries = {}
    for name, payload in (("first ask of a run", body(targets[0], 2_000_000)),
                          ("repeated poll", body(targets[0], 2_000_000))):
        with CaptureQueriesContext(connection) as captured:
            ask(payload)
        queries[name] = len(captured.captured_queries)
    return {name: {"median_ms": round(statistics.median(samples), 1), "p95_ms": round(percentile(samples, .95), 1),
                   "python_cpu_ms": round(statistics.median(used), 1), "queries": queries[name]}
            for name, samples, used in (("first ask of a run", first, first_cpu), ("repeated poll", repeat, cpu))}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(env: dict, folder: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    server = subprocess.Popen(
        # The production configuration (deploy/gunicorn.conf.py) with the benchmark's 2 workers and port.
        [str(ROOT / ".venv/bin/gunicorn"), "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "changemgmt.wsgi",
         "--workers", "2", "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--chdir", str(ROOT)],
        env={**os.environ, **env}, stdout=open(folder / "gunicorn.log", "w"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{url}/.well-known/changemgmt-ledger-key.pem", timeout=1)
            return server, url
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit(f"gunicorn did not start: see {folder / 'gunicorn.log'}")


def post(url: str, token: str, payload: str) -> int:
    """One gate request on a new connection (gunicorn's sync workers close each one); its status."""
    request = urllib.request.Request(f"{url}/api/pipeline/gate/", data=payload.encode(), method="POST", headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            answer.read()
            return answer.status
    except urllib.error.HTTPError as refusal:
        return refusal.code


def _run_clients(clients: int, work) -> tuple[list[float], int, float]:
    """Run `work(offset, latencies)` in `clients` threads; (latencies in ms, errors, seconds)."""
    latencies, errors, lock = [], [0], threading.Lock()

    def client(offset):
        mine, failed = [], 0
        for payload in work(offset):
            begun = time.perf_counter()
            failed += post(*payload) != 200
            mine.append((time.perf_counter() - begun) * 1000)
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    threads = [threading.Thread(target=client, args=(offset,)) for offset in range(clients)]
    begun = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors[0], time.perf_counter() - begun


def over_http(url: str, token: str, targets: list, pipelines: int, clients: int, duration: float) -> dict:
    """The server sees pipelines / 10 s polls whatever the number of distinct runs, so a pool of POOL runs
    (each asked once first: one decision each) stands for the pipelines in the steady state."""
    pool = [(url, token, body(targets[index % len(targets)], index)) for index in range(min(pipelines, POOL))]
    _warm, warm_errors, warm_up_s = _run_clients(clients, lambda offset: pool[offset::clients])
    stop = time.perf_counter() + duration

    def steady(offset):
        index = offset
        while time.perf_counter() < stop:
            yield pool[index % len(pool)]
            index += clients

    latencies, errors, elapsed = _run_clients(clients, steady)
    rate = len(latencies) / elapsed
    need = pipelines / POLL_INTERVAL_S
    return {"clients": clients, "runs": len(pool), "requests": len(latencies), "seconds": round(elapsed, 1),
            "requests_per_s": round(rate, 1), "needed_per_s": need, "headroom": round(rate / need, 2),
            "median_ms": round(statistics.median(latencies), 1), "p95_ms": round(percentile(latencies, .95), 1),
            "errors": errors + warm_errors, "warm_up_s": round(warm_up_s, 1)}


def main():
    args = parse_args()
    folder = Path(tempfile.mkdtemp(prefix="changemgmt-bench-gate-"))
    server = None
    try:
        env = configure(args.database_url, folder)
        recreate_database(args.database_url)
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        targets, token = seed(args.changes, args.targets)
        seeded = time.perf_counter() - started
        from changes.models import ChangeRequest

        results = {"changes": ChangeRequest.objects.count(), "seed_s": round(seeded, 1),
                   "in_process": in_process(targets, token, args.requests)}
        from django.db import connections

        connections.close_all()
        server, url = start_gunicorn(env, folder)
        results["http"] = over_http(url, token, targets, args.pipelines, args.clients, args.duration)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)
    print(f"{results['changes']} changes (seeded in {results['seed_s']} s); target p95 < {TARGET_P95_MS} ms")
    for name, row in results["in_process"].items():
        print(f"  gate, {name:<20} median {row['median_ms']:>6} ms   p95 {row['p95_ms']:>6} ms   "
              f"Python CPU {row['python_cpu_ms']:>5} ms   {row['queries']} queries")
    http = results["http"]
    print(f"  HTTP, gunicorn 2 workers, {http['clients']} clients: {http['requests_per_s']} req/s "
          f"(need {http['needed_per_s']:.0f}: x{http['headroom']}), median {http['median_ms']} ms, "
          f"p95 {http['p95_ms']} ms, {http['errors']} errors; warm-up {http['warm_up_s']} s")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
