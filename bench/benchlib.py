"""What every benchmark under bench/ shares: production settings, its own database and folders,
interleaved timing of a page against its floor, and the numbers printed the same way.

    from benchlib import configure, recreate_database, interleaved, report_row, load_average

- `configure(url)` sets the environment before `django.setup()`: DEBUG off, persistent database
  connections (DATABASE_CONN_MAX_AGE), a fresh temporary CHANGEMGMT_VAR_DIR and STATIC_ROOT of the
  run's own (removed at exit) with the file-system broker's folders created, e-mail kept in memory.
- `recreate_database(url, drop=...)` creates the bench database next to the server's `postgres` one.
- `interleaved({"page": fn, "floor": fn}, runs)` calls each in turn (page, floor, page, floor …) so
  load from other processes falls on both alike; `summary(samples)` gives median and p95.
- `measure_page(client, url, requests)` times one page alone (median, p95, CPU, queries).
- `load_average()` is the 1-minute load average, printed beside every figure.
"""
import atexit
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

_RUN_DIR: Path | None = None


def run_dir() -> Path:
    """This run's own temporary folder (never a fixed /tmp path), removed when the process exits."""
    global _RUN_DIR
    if _RUN_DIR is None:
        _RUN_DIR = Path(tempfile.mkdtemp(prefix="changemgmt-bench-"))
        atexit.register(shutil.rmtree, _RUN_DIR, ignore_errors=True)
    return _RUN_DIR


def configure(database_url: str, *, eager_tasks: bool = True) -> None:
    """Production settings for a bench process; call before django.setup()."""
    var_dir = run_dir() / "var"
    broker = var_dir / "broker"
    for folder in (broker, broker / "processed", broker / "control", run_dir() / "static"):
        folder.mkdir(parents=True, exist_ok=True)
    os.environ.update({
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
        "LEDGER_SIGNING_KEY_AUTOGENERATE": "true",  # a throwaway signing key in this run's var dir
        "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "CHANGEMGMT_VAR_DIR": str(var_dir),
        "CELERY_TASK_ALWAYS_EAGER": "true" if eager_tasks else "false",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "LOG_LEVEL": "WARNING",
        # Persistent connections, as .env.example recommends for production (0 connects per request).
        "DATABASE_CONN_MAX_AGE": "600",
        "STATIC_ROOT": str(run_dir() / "static"),
    })
    os.environ.pop("DEBUG", None)  # production: DEBUG off (and no query log kept per request)
    os.environ["DJANGO_SETTINGS_MODULE"] = "changemgmt.settings"


def plain_static_files() -> None:
    """Pages link static files; serve them without a collectstatic manifest (call after setup)."""
    from django.conf import settings

    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


def recreate_database(database_url: str, *, drop: bool) -> bool:
    """Create the bench database if missing (dropping it first with `drop`); True if it is new."""
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(database_url)
    admin = psycopg.connect(host=config["HOST"] or None, port=config["PORT"] or None, user=config["USER"] or None,
                            password=config["PASSWORD"] or None, dbname="postgres", autocommit=True)
    with admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone()
        if exists and drop:
            admin.execute(f'DROP DATABASE "{config["NAME"]}" WITH (FORCE)')
            exists = None
        if not exists:
            admin.execute(f'CREATE DATABASE "{config["NAME"]}"')
    return not exists


def load_average() -> float:
    return os.getloadavg()[0]


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, int(round(p / 100 * len(ordered))) - 1))]


def summary(samples: list[float]) -> dict:
    return {"median_ms": statistics.median(samples), "p95_ms": percentile(samples, 95), "runs": len(samples)}


def timed(fn: Callable[[], object], runs: int, *, warmup: int = 3) -> list[float]:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def interleaved(candidates: dict[str, Callable[[], object]], runs: int, *, warmup: int = 3) -> dict[str, list[float]]:
    """Milliseconds per call of each candidate, called in turn (a, b, a, b …) after `warmup` rounds."""
    for _ in range(warmup):
        for fn in candidates.values():
            fn()
    samples = {name: [] for name in candidates}
    for _ in range(runs):
        for name, fn in candidates.items():
            started = time.perf_counter()
            fn()
            samples[name].append((time.perf_counter() - started) * 1000)
    return samples


def measure_page(client, url: str, requests: int, *, warmup: int = 3) -> dict:
    """One page through Django's test Client, alone (no floor): status, median and p95 ms, the median CPU
    time of this process per request, the answer's size and the SQL queries of one request. A streamed
    answer (a CSV) is read to its end, since only then is its work done."""

    def get():
        response = client.get(url)
        if getattr(response, "streaming", False):
            response.body = b"".join(response.streaming_content)
        return response

    response = get()
    if response.status_code != 200:
        return {"url": url, "status": response.status_code}
    for _ in range(warmup):
        get()
    wall, cpu = [], []
    for _ in range(requests):
        started, started_cpu = time.perf_counter(), time.process_time()
        get()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return {"url": url, "status": 200, **summary(wall), "python_cpu_median_ms": statistics.median(cpu),
            "queries": count_queries(get), "bytes": len(response.body if response.streaming else response.content)}


def count_queries(fn: Callable[[], object]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured)


HEADER = ("| figure | size | median ms | p95 ms | floor median ms | ratio | queries | load avg |\n"
          "|---|---|---|---|---|---|---|---|")


def report_row(figure: str, size: str, page: list[float], floor: list[float] | None = None,
               queries: int | str = "", load: float | None = None) -> str:
    """One line of the bench/README.md table: the page's median and p95, its floor's median, the ratio
    of the medians, the query count and the load average when it was measured."""
    page_stats = summary(page)
    floor_median = statistics.median(floor) if floor else None
    ratio = f"{page_stats['median_ms'] / floor_median:.1f}×" if floor_median else ""
    floor_text = f"{floor_median:.2f}" if floor_median is not None else ""
    load = load_average() if load is None else load
    return (f"| {figure} | {size} | {page_stats['median_ms']:.1f} | {page_stats['p95_ms']:.1f} | {floor_text} "
            f"| {ratio} | {queries} | {load:.1f} |")
