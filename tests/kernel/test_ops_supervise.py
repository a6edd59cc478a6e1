"""`./run demo` supervises the Celery worker and beat: `./run supervise NAME CMD...` (what demo runs
them under) starts CMD again whenever it exits, and stops it when the supervisor is stopped.
docker-compose does the same for production with `restart: unless-stopped` (checked below)."""
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEADLINE = 20.0


def supervise(*command, tmp_path):
    env = {**os.environ, "SUPERVISE_BACKOFF": "0.2"}
    return subprocess.Popen([str(ROOT / "run"), "supervise", "test", *command], env=env, cwd=tmp_path,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def wait_for(predicate):
    started = time.monotonic()
    while time.monotonic() - started < DEADLINE:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").exists() and Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"


def stop(process):
    try:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_a_worker_that_exits_is_started_again(tmp_path):
    runs = tmp_path / "runs"
    process = supervise("bash", "-c", f"echo run >> {runs}; exit 3", tmp_path=tmp_path)
    try:
        assert wait_for(lambda: runs.exists() and len(runs.read_text().split()) >= 3)
    finally:
        stop(process)
    assert process.returncode == 0


def test_stopping_the_supervisor_stops_the_worker_it_runs(tmp_path):
    pidfile = tmp_path / "pid"
    process = supervise("bash", "-c", f"echo $$ > {pidfile}; exec sleep 300", tmp_path=tmp_path)
    try:
        assert wait_for(lambda: pidfile.exists() and pidfile.read_text().strip())
        child = int(pidfile.read_text())
        assert alive(child)
    finally:
        stop(process)
    assert wait_for(lambda: not alive(child)), "the supervised command outlived its supervisor"


def test_demo_runs_worker_and_beat_under_the_supervisor():
    script = (ROOT / "run").read_text()
    assert 'supervise worker "$VENV/bin/celery" -A changemgmt worker' in script
    assert 'supervise beat "$VENV/bin/celery" -A changemgmt beat' in script


def test_compose_restarts_worker_and_beat_when_they_exit():
    yaml = pytest.importorskip("yaml")
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    assert services["worker"]["restart"] == "unless-stopped"
    assert services["beat"]["restart"] == "unless-stopped"
