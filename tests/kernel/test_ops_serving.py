"""How the web service is served (issue 13, deploy/gunicorn.conf.py): what an HTTP request costs besides
the page itself must stay small. A logged-in page view writes nothing (no session re-saved, no last-seen
stamp); the image and compose run gunicorn with the one production configuration; that configuration
loads, with sync workers, the application preloaded and no database connection shared across a fork."""
import multiprocessing
import os
import re
import runpy
import secrets
import socket
import subprocess
import sys
from pathlib import Path

import yaml
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from changes import services
from tests.support import factories as f

ROOT = Path(__file__).resolve().parents[2]
CONF = ROOT / "deploy" / "gunicorn.conf.py"
WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)


def test_a_logged_in_page_view_writes_nothing(client, frozen, requester):
    change = services.create_change(actor=requester, data=f.complete_fields(title="Read only"))
    client.force_login(requester)
    urls = [reverse("dashboard"), reverse("changes:list"), reverse("changes:detail", args=[change.pk]),
            "/inbox/"]
    for url in urls:
        client.get(url)  # the first view may mint the CSRF cookie; later ones must not write at all
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        writes = [query["sql"] for query in queries if WRITES.match(query["sql"])]
        assert writes == [], f"GET {url} wrote: {writes}"
        assert settings.SESSION_COOKIE_NAME not in response.cookies, f"GET {url} saved the session again"
    assert not settings.SESSION_SAVE_EVERY_REQUEST


def test_the_image_and_compose_serve_with_the_one_gunicorn_configuration():
    dockerfile = (ROOT / "Dockerfile").read_text()
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert '"-c", "deploy/gunicorn.conf.py"' in dockerfile and "COPY deploy/gunicorn.conf.py" in dockerfile
    web = compose["services"]["web"]
    assert web["command"][:3] == ["gunicorn", "-c", "deploy/gunicorn.conf.py"]
    # Persistent connections in production: a connection per request costs a PostgreSQL backend start.
    assert re.fullmatch(r"\$\{DATABASE_CONN_MAX_AGE:-([1-9]\d*)\}", web["environment"]["DATABASE_CONN_MAX_AGE"])
    apps = {name.split(".")[0] for name in settings.INSTALLED_APPS if (ROOT / name.split(".")[0]).is_dir()}
    missing = {app for app in apps if f"COPY {app} ./{app}" not in dockerfile}
    assert not missing, f"the image lacks apps it installs: {sorted(missing)}"


def _config(monkeypatch, workers: str | None) -> dict:
    if workers is None:
        monkeypatch.delenv("GUNICORN_WORKERS", raising=False)
    else:
        monkeypatch.setenv("GUNICORN_WORKERS", workers)
    return runpy.run_path(str(CONF))


def test_the_configuration_runs_sync_workers_preloaded_two_per_core_plus_one(monkeypatch):
    config = _config(monkeypatch, None)
    assert config["worker_class"] == "sync" and config["preload_app"] is True
    assert config["workers"] == 2 * multiprocessing.cpu_count() + 1
    assert config["max_requests"] > 0 and config["max_requests_jitter"] > 0
    if Path("/dev/shm").is_dir():
        assert config["worker_tmp_dir"] == "/dev/shm"
    assert _config(monkeypatch, "3")["workers"] == 3
    assert _config(monkeypatch, "")["workers"] == 2 * multiprocessing.cpu_count() + 1  # compose's unset value


def test_a_forked_worker_closes_the_connections_it_inherited(monkeypatch):
    closed = []
    monkeypatch.setattr("django.db.connections.close_all", lambda: closed.append(True))
    _config(monkeypatch, None)["post_fork"](server=None, worker=None)
    assert closed == [True]


def test_the_master_freezes_what_it_loaded_before_forking_workers(monkeypatch):
    import gc

    frozen = []
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(True))
    _config(monkeypatch, None)["when_ready"](server=None)
    assert frozen == [True]


def test_gunicorn_loads_the_configuration_and_the_application(tmp_path):
    """`--check-config` reads the file and imports the application as a worker would, under production
    settings from a clean environment."""
    base = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    key_file = tmp_path / "ledger-signing-key.pem"
    subprocess.run([sys.executable, "manage.py", "ledger", "keygen", "--output", str(key_file)], cwd=ROOT,
                   env={**base, "DEBUG": "1", "CHANGEMGMT_VAR_DIR": str(tmp_path / "var")}, check=True,
                   capture_output=True, timeout=120)
    env = {**base, "SECRET_KEY": secrets.token_urlsafe(50), "LEDGER_SIGNING_KEY_FILE": str(key_file),
           "ALLOWED_HOSTS": "localhost", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
           "CHANGEMGMT_VAR_DIR": str(tmp_path / "var"), "GUNICORN_WORKERS": "1"}
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = subprocess.run([sys.executable, "-m", "gunicorn", "-c", str(CONF), "--check-config",
                             "--bind", f"127.0.0.1:{port}", "changemgmt.wsgi"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
