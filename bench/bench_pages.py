"""Each page beside its floor: change list, change detail, API list (50 rows), API detail, My approvals,
inbox, measured in-process and interleaved (page, floor, page, floor …) at two or more sizes.

    .venv/bin/python bench/bench_pages.py --sizes 2000,10000          # seed up to each size, measure
    .venv/bin/python bench/bench_pages.py --sizes 10000,1000000 --requests 50 --reseed
    .venv/bin/python bench/bench_pages.py --sizes 10000 --http 10    # also over HTTP: 10 s per page and floor

With --http SECONDS, after the in-process figures at the largest size, the change list and the change
detail are served by gunicorn with the production configuration (deploy/gunicorn.conf.py) but 2 workers,
this module's `wsgi_app()` (the real application with the floors installed) to 4 concurrent clients
(`--clients`) sending the cookies a browser would, each on a new connection per request as sync workers
close them; page and floor alternate twice for SECONDS each, and the row gives requests/s of the page,
of the floor, and page / floor (target ≥ 40 %), with the median wall and CPU time of one request
inside a worker (logged by `TimedApplication`).

The floor of a page is a bare view in the same process and through the same Django test Client
(so the same middleware): ONE raw SQL query for the same rows the page shows, `json.dumps`, an
HttpResponse. The page is the real view, logged in, with production settings (DEBUG off, persistent
connections). The ratio is median(page) / median(floor); the query count of one page request is
printed at every size and must not change with it.

Database: its own (default postgres://postgres@127.0.0.1:5432/changemgmt_bench_pages, or
BENCH_DATABASE_URL / --database-url), created and migrated if missing, seeded with bench/seeding.py
(COPY, committed in chunks). Later sizes only add the missing changes.
"""
import argparse
import gc
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
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
    summary,
)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/changemgmt_bench_pages"
GUNICORN_CONF = Path(__file__).resolve().parent.parent / "deploy" / "gunicorn.conf.py"
NOTIFICATIONS = 300

LIST_SQL = """
SELECT c.id, c.title, c.state, c.change_type, c.category, c.risk_level, c.planned_start, c.planned_end,
       c.created_at, c.updated_at, o.username, r.username,
       (SELECT string_agg(s.name, ',' ORDER BY s.name) FROM changes_changerequest_services l
          JOIN changes_service s ON s.id = l.service_id WHERE l.changerequest_id = c.id)
FROM (SELECT * FROM changes_changerequest ORDER BY created_at DESC, id DESC LIMIT 50) c
LEFT JOIN changemgmt_user o ON o.id = c.owner_id JOIN changemgmt_user r ON r.id = c.requester_id
ORDER BY c.created_at DESC, c.id DESC"""
DETAIL_SQL = """
SELECT row_to_json(c)::text, o.username, r.username,
       (SELECT json_agg(s.name ORDER BY s.name) FROM changes_changerequest_services l
          JOIN changes_service s ON s.id = l.service_id WHERE l.changerequest_id = c.id)::text,
       (SELECT json_agg(json_build_object('id', a.id, 'role', a.role, 'ordinal', a.ordinal, 'status', a.status,
               'rule', a.rule, 'decided_by', d.username, 'decided_at', a.decided_at, 'reason', a.reason,
               'due_at', a.due_at) ORDER BY a.id)
          FROM approvals_approvalslot a LEFT JOIN changemgmt_user d ON d.id = a.decided_by_id
          WHERE a.change_id = c.id)::text,
       (SELECT json_agg(json_build_object('type', e.test_type, 'result', e.result, 'summary', e.summary))
          FROM changes_testevidence e WHERE e.change_id = c.id)::text
FROM changes_changerequest c LEFT JOIN changemgmt_user o ON o.id = c.owner_id
JOIN changemgmt_user r ON r.id = c.requester_id WHERE c.id = %s"""
# The change page shows more rows than the API detail: each slot's SLA steps and the people of the
# slots and evidence, the change's history rows (the timeline's diffs), its ledger entries and its
# schedule conflicts with the other change's title and owner. Its floor reads them all, in one query.
DETAIL_PAGE_SQL = """
SELECT row_to_json(c)::text, o.username, o.first_name, o.last_name, r.username, r.first_name, r.last_name,
       (SELECT json_agg(s.name ORDER BY s.name) FROM changes_changerequest_services l
          JOIN changes_service s ON s.id = l.service_id WHERE l.changerequest_id = c.id)::text,
       (SELECT json_agg(json_build_object('id', a.id, 'role', a.role, 'ordinal', a.ordinal, 'status', a.status,
               'rule', a.rule, 'policy', a.policy, 'decided_by', d.username, 'decided_at', a.decided_at,
               'reason', a.reason, 'due_at', a.due_at, 'created_at', a.created_at, 'channel', a.channel,
               'sla', (SELECT json_agg(json_build_object('step', t.step, 'sent_at', t.sent_at,
                                                         'recipients', t.recipients) ORDER BY t.scheduled_at)
                       FROM approvals_slastep t WHERE t.slot_id = a.id)) ORDER BY a.id)
          FROM approvals_approvalslot a LEFT JOIN changemgmt_user d ON d.id = a.decided_by_id
          WHERE a.change_id = c.id)::text,
       (SELECT json_agg(json_build_object('type', e.test_type, 'result', e.result, 'summary', e.summary,
               'url', e.evidence_url, 'by', u.username, 'at', e.recorded_at) ORDER BY e.recorded_at DESC)
          FROM changes_testevidence e JOIN changemgmt_user u ON u.id = e.recorded_by_id
          WHERE e.change_id = c.id)::text,
       (SELECT json_agg(json_build_object('when', h.history_date, 'by', hu.username, 'row', row_to_json(h))
               ORDER BY h.history_date, h.history_id)
          FROM changes_historicalchangerequest h LEFT JOIN changemgmt_user hu ON hu.id = h.history_user_id
          WHERE h.id = c.id)::text,
       (SELECT json_agg(json_build_object('seq', g.seq, 'at', g.recorded_at, 'actor', g.actor_name,
               'action', g.action, 'payload', g.payload) ORDER BY g.seq)
          FROM changemgmt_ledgerentry g WHERE g.subject = 'changes.changerequest:' || c.id)::text,
       (SELECT json_agg(json_build_object('start', k.overlap_start, 'end', k.overlap_end, 'shared', k.shared,
               'other', x.id, 'title', x.title, 'owner', xo.username, 'first', xo.first_name,
               'last', xo.last_name) ORDER BY k.overlap_start, k.id)
          FROM changes_changeconflict k
          JOIN changes_changerequest x ON x.id = CASE WHEN k.change_id = c.id THEN k.other_id ELSE k.change_id END
          LEFT JOIN changemgmt_user xo ON xo.id = x.owner_id
          WHERE k.change_id = c.id OR k.other_id = c.id)::text
FROM changes_changerequest c LEFT JOIN changemgmt_user o ON o.id = c.owner_id
JOIN changemgmt_user r ON r.id = c.requester_id WHERE c.id = %s"""
QUEUE_SQL = """
SELECT a.id, a.role, a.ordinal, a.rule, a.policy, a.status, a.due_at, c.id, c.title
FROM approvals_approvalslot a JOIN changes_changerequest c ON c.id = a.change_id
WHERE a.status = 'pending' AND a.role = ANY(%s) AND c.requester_id <> %s
  AND (c.owner_id IS NULL OR c.owner_id <> %s)
ORDER BY a.due_at, a.id LIMIT 500"""
INBOX_SQL = """
SELECT id, kind, title, body, url, due_at, created_at, read_at FROM changemgmt_notification
WHERE user_id = %s ORDER BY created_at DESC, id DESC LIMIT 50"""


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--sizes", default="2000,10000", help="comma-separated numbers of changes")
    parser.add_argument("--requests", type=int, default=30, help="timed page/floor pairs per page")
    parser.add_argument("--reseed", action="store_true", help="drop the bench database first")
    parser.add_argument("--only", default="", help="comma-separated page names to run (default all)")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument("--http", type=float, default=0, help="seconds per HTTP run of list and detail (0: none)")
    parser.add_argument("--clients", type=int, default=4, help="concurrent HTTP clients")
    parser.add_argument("--gc-freeze", action="store_true",
                        help="after each page's warm-up, gc.collect() and gc.freeze() the process's long-lived "
                             "objects, as a server would after loading (full collections then skip them)")
    return parser.parse_args()


def floor_view(sql: str, params_of):
    """A bare view: one raw query for the page's rows, json.dumps, a response."""
    from django.db import connection
    from django.http import HttpResponse

    def view(request, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute(sql, params_of(request, **kwargs))
            rows = cursor.fetchall()
        return HttpResponse(json.dumps(rows, default=str), content_type="application/json")

    return view


def install_floors(users) -> None:
    from django.urls import clear_url_caches, path

    from changemgmt import urls

    alice, mia = users["alice"], users["mia"]
    roles = ["manager"]
    urls.urlpatterns[:0] = [
        path("__floor__/list/", floor_view(LIST_SQL, lambda request: [])),
        path("__floor__/detail/<int:pk>/", floor_view(DETAIL_SQL, lambda request, pk: [pk])),
        path("__floor__/detail-page/<int:pk>/", floor_view(DETAIL_PAGE_SQL, lambda request, pk: [pk])),
        path("__floor__/queue/", floor_view(QUEUE_SQL, lambda request: [roles, mia.pk, mia.pk])),
        path("__floor__/inbox/", floor_view(INBOX_SQL, lambda request: [alice.pk])),
    ]
    clear_url_caches()


def seed_notifications(user, count: int) -> None:
    """Inbox rows for the bench user (bench infrastructure: written directly)."""
    from django.utils import timezone

    from changemgmt.models import Notification

    have = Notification.objects.filter(user=user).count()
    now = timezone.now()
    Notification.objects.bulk_create([
        Notification(user=user, kind="approval_requested", title=f"Approve bench change {i}",
                     body="A change waits for your approval.", url=f"/changes/{i + 1}/", due_at=now)
        for i in range(have, count)])


def pages(detail_id: int):
    """name -> (page URL, floor URL, user)."""
    return {
        "change list": ("/changes/", "/__floor__/list/", "alice"),
        "change detail": (f"/changes/{detail_id}/", f"/__floor__/detail-page/{detail_id}/", "alice"),
        "API list (50 rows)": ("/api/changes/", "/__floor__/list/", "alice"),
        "API detail": (f"/api/changes/{detail_id}/", f"/__floor__/detail/{detail_id}/", "alice"),
        "My approvals": ("/approvals/queue/", "/__floor__/queue/", "mia"),
        "inbox": ("/inbox/", "/__floor__/inbox/", "alice"),
    }


def measure_size(size: int, args, clients) -> list[dict]:
    from changes.models import ChangeRequest

    # The same shape at every size: a closed critical change (six decided slots, evidence, history).
    detail_id = (ChangeRequest.objects.filter(state="closed", risk_level="critical").order_by("-id")
                 .values_list("pk", flat=True).first())
    wanted = {name.strip() for name in args.only.split(",") if name.strip()}
    results = []
    for name, (page_url, floor_url, who) in pages(detail_id).items():
        if wanted and name not in wanted:
            continue
        client = clients[who]
        response = client.get(page_url)
        assert response.status_code == 200, (page_url, response.status_code)
        assert client.get(floor_url).status_code == 200, floor_url
        if args.gc_freeze:
            gc.collect()
            gc.freeze()
        def get_page(client=client, url=page_url):
            return client.get(url)

        def get_floor(client=client, url=floor_url):
            return client.get(url)

        samples = interleaved({"page": get_page, "floor": get_floor}, args.requests)
        queries = count_queries(get_page)
        load = load_average()
        results.append({"figure": name, "size": size, "page": summary(samples["page"]),
                        "floor": summary(samples["floor"]), "queries": queries, "load": load,
                        "row": report_row(name, f"{size:,}", samples["page"], samples["floor"], queries, load)})
        print(results[-1]["row"], flush=True)
    return results


class TimedApplication:
    """The WSGI application, with each request's wall and CPU time in the worker appended to a file of the
    worker's own (`path<TAB>wall ms<TAB>CPU ms`): what the server spends, apart from the clients and the
    network, so an HTTP row can be compared with the in-process one."""

    def __init__(self, application, folder: Path):
        self.application, self.folder, self.log, self.pid = application, folder, None, None

    def __call__(self, environ, start_response):
        if self.pid != os.getpid():  # preloaded in gunicorn's master: each worker opens its own file
            self.pid = os.getpid()
            self.log = open(self.folder / f"times-{self.pid}.tsv", "a", buffering=1)
        started, started_cpu = time.perf_counter(), time.process_time()
        response = self.application(environ, start_response)
        self.log.write(f"{environ['PATH_INFO']}\t{(time.perf_counter() - started) * 1000:.3f}"
                       f"\t{(time.process_time() - started_cpu) * 1000:.3f}\n")
        return response


def wsgi_app():
    """gunicorn's application for --http (`bench_pages:wsgi_app()`): the project's WSGI application
    with the floors installed, timed per request. The environment is the parent bench process's
    (configure())."""
    import django

    django.setup()
    plain_static_files()
    from django.core.wsgi import get_wsgi_application

    from changemgmt.models import User

    application = get_wsgi_application()
    install_floors({user.username: user for user in User.objects.filter(username__in=["alice", "mia"])})
    return TimedApplication(application, _times_folder())


def _times_folder() -> Path:
    folder = Path(os.environ["CHANGEMGMT_VAR_DIR"]) / "http-times"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _worker_times(url: str) -> tuple[float, float]:
    """Median wall and CPU ms per request the workers logged for `url`."""
    rows = [line.split("\t") for path in _times_folder().glob("times-*.tsv") for line in path.read_text().splitlines()]
    mine = [(float(wall), float(cpu)) for path, wall, cpu in rows if path == url]
    return statistics.median(wall for wall, _ in mine), statistics.median(cpu for _, cpu in mine)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _requests_per_second(url: str, cookie: str, clients: int, seconds: float) -> tuple[float, int]:
    """`clients` threads GET `url` (a new connection each) for `seconds`: (requests/s, errors)."""
    done, errors, lock = [0], [0], threading.Lock()
    stop = time.perf_counter() + seconds

    def client():
        mine = failed = 0
        while time.perf_counter() < stop:
            request = urllib.request.Request(url, headers={"Cookie": cookie})
            try:
                with urllib.request.urlopen(request, timeout=30) as answer:
                    answer.read()
                    failed += answer.status != 200
            except OSError:
                failed += 1
            mine += 1
        with lock:
            done[0] += mine
            errors[0] += failed

    threads = [threading.Thread(target=client) for _ in range(clients)]
    begun = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return done[0] / (time.perf_counter() - begun), errors[0]


def _cpu_per_request(client, url: str, runs: int = 15) -> float:
    """Median CPU ms of this process per in-process request: the same work a worker does, minus HTTP."""
    samples = []
    for _ in range(runs + 3):
        started = time.process_time()
        client.get(url)
        samples.append((time.process_time() - started) * 1000)
    return statistics.median(samples[3:])


def over_http(args, client, detail_id: int, size: int) -> list[str]:
    """List and detail against their floors over gunicorn (2 sync workers): one table row each."""
    names = ("change list", "change detail")
    in_process = {name: _cpu_per_request(client, pages(detail_id)[name][0]) for name in names}
    port = _free_port()
    log = open(Path(os.environ["CHANGEMGMT_VAR_DIR"]) / "gunicorn.log", "w")
    # The production configuration (deploy/gunicorn.conf.py), with the 2 workers and this port.
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF), "bench_pages:wsgi_app()", "--workers", "2",
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--pythonpath", str(Path(__file__).parent)],
        stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    # The cookies a browser would send: the session and the CSRF cookie its pages set.
    cookie = "; ".join(f"{name}={morsel.value}" for name, morsel in client.cookies.items())
    rows = []
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"{base}/__floor__/list/", timeout=2).read()
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise SystemExit(f"gunicorn did not start: see {log.name}")
        for name in names:
            page_url, floor_url, _who = pages(detail_id)[name]
            for url in (page_url, floor_url):  # warm both workers
                _requests_per_second(base + url, cookie, args.clients, 1)
            rates = {"page": [], "floor": []}
            for _ in range(2):
                for key, url in (("page", page_url), ("floor", floor_url)):
                    rate, errors = _requests_per_second(base + url, cookie, args.clients, args.http)
                    assert errors == 0, (url, errors)
                    rates[key].append(rate)
            page, floor = sum(rates["page"]) / 2, sum(rates["floor"]) / 2
            (page_wall, page_cpu), (floor_wall, floor_cpu) = _worker_times(page_url), _worker_times(floor_url)
            rows.append(f"| {name} over HTTP (gunicorn 2 sync workers, {args.clients} clients; page CPU per "
                        f"request {in_process[name]:.1f} ms in-process, {page_cpu:.1f} in a worker, whose wall "
                        f"time is {page_wall:.1f}; floor {floor_cpu:.1f} ms CPU, {floor_wall:.1f} wall) "
                        f"| {size:,} changes | {page:.1f} req/s | | {floor:.1f} req/s "
                        f"| {100 * page / floor:.0f} % | | {load_average():.1f} |")
            print(rows[-1], flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    return rows


def main() -> int:
    args = parse_args()
    configure(args.database_url)
    recreate_database(args.database_url, drop=args.reseed)
    import django

    django.setup()
    plain_static_files()
    import seeding
    from django.core.management import call_command
    from django.test import Client

    from changemgmt.models import User
    from changes.models import ChangeRequest

    call_command("migrate", verbosity=0)
    results = []
    print(HEADER)
    for size in sorted(int(text) for text in args.sizes.split(",")):
        have = ChangeRequest.objects.count()
        if have < size:
            seeding.seed(size - have)
        users = {user.username: user for user in User.objects.filter(username__in=["alice", "mia"])}
        seed_notifications(users["alice"], NOTIFICATIONS)
        if not results:
            install_floors(users)
        clients = {}
        for username, user in users.items():
            clients[username] = Client()
            clients[username].force_login(user)
        results += measure_size(ChangeRequest.objects.count(), args, clients)
    if args.http:
        detail_id = (ChangeRequest.objects.filter(state="closed", risk_level="critical").order_by("-id")
                     .values_list("pk", flat=True).first())
        over_http(args, clients["alice"], detail_id, ChangeRequest.objects.count())
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps([{k: v for k, v in r.items() if k != "row"} for r in results], indent=2))
    counts = {}
    for row in results:
        counts.setdefault(row["figure"], set()).add(row["queries"])
    flat = all(len(found) == 1 for found in counts.values())
    print("\nquery counts", "the same at every size" if flat else f"DIFFER by size: {counts}")
    return 0 if flat else 1


if __name__ == "__main__":
    sys.exit(main())
