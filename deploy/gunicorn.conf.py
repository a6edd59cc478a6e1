"""gunicorn's configuration for the web service: what production runs (Dockerfile, docker-compose.yml) and
what bench/bench_pages.py --http measures (with only the worker count fixed by the benchmark).

    gunicorn -c deploy/gunicorn.conf.py changemgmt.wsgi      # options given after -c override the file's

Why each value (issue 13, README "Serving"):
- Sync workers, one request at a time each. A request's time is Python (rendering) plus PostgreSQL round
  trips; both stay on this host's cores, so more workers than about twice the cores only queue. Threads
  would let one slow client hold no worker, but the TLS proxy in front buffers requests and answers, and
  sync workers keep every module-level cache (policy, templates, URL resolvers) single-threaded.
  GUNICORN_WORKERS overrides the count (not gunicorn's WEB_CONCURRENCY: gunicorn fails to start when
  that one is set but empty, as compose passes an unset variable).
- No keep-alive: a sync worker closes the connection after each answer (gunicorn ignores `keepalive`
  for sync workers); the proxy keeps the client's connection open, and its hop to gunicorn is on the
  same host or network, where a new TCP connection costs well under a millisecond.
- `preload_app`: Django is imported and set up once, in the master, before the workers fork: workers
  start in milliseconds and share the loaded code's memory. The master must not keep a database
  connection the workers would share, so `post_fork` closes any a worker inherited.
- The heartbeat file in /dev/shm (memory), not /tmp: on a container's disk-backed /tmp a slow write stalls
  the worker that touches it (gunicorn's FAQ, "Blocking os.fchmod").
- `max_requests` with jitter: a worker is replaced after about a thousand requests, so slow growth of
  memory in any library cannot build up, and the workers are not replaced all at once.
- `when_ready` imports every view (the URL resolver) and then freezes the master's objects out of the
  garbage collector's reach (`gc.freeze()`, as Instagram does): a full collection in a worker otherwise
  walks the ~190,000 long-lived objects of Django and the app, 0.8–0.9 s under load (bench_pages.py
  --gc-freeze measured My approvals' p95 107 → 87 ms at load 8); frozen pages also stay shared with the
  master instead of being copied on the collector's first write.
- Persistent database connections come from DATABASE_CONN_MAX_AGE (settings); a sync worker keeps its
  one connection between requests, health-checked before reuse.
"""
import multiprocessing
import os
from pathlib import Path

bind = "0.0.0.0:8000"
workers = int(os.environ.get("GUNICORN_WORKERS") or 2 * multiprocessing.cpu_count() + 1)
worker_class = "sync"
preload_app = True
worker_tmp_dir = "/dev/shm" if Path("/dev/shm").is_dir() else None
max_requests = 1000
max_requests_jitter = 100
timeout = 30
graceful_timeout = 30
accesslog = "-"
# The TLS proxy's X-Forwarded-* headers are trusted from these addresses (compose: the proxy's network).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_fork(server, worker):
    """A worker never uses a database connection opened in the master before the fork."""
    from django.db import connections

    connections.close_all()


def when_ready(server):
    """Load what every request needs, then take the loaded objects out of the collector's reach."""
    import gc

    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 -- imports every view module now, in the master
    gc.freeze()
