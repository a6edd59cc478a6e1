"""Production settings come from the environment and pass Django's deployment checklist.

Each test starts manage.py in a fresh process with a clean environment (none of the test-only
variables pyproject's pytest-env sets), as an operator's server would.
"""
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Only what a process needs to run; no changemgmt variable leaks in from the test session.
BASE_ENV = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "SYSTEMROOT") if key in os.environ}


def manage(*args, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env={**BASE_ENV, **env},
                          capture_output=True, text=True, timeout=120)


def production_env(tmp_path) -> dict:
    key_file = tmp_path / "ledger-signing-key.pem"
    if not key_file.exists():
        manage("ledger", "keygen", "--output", str(key_file), env={"DEBUG": "1"})
    return {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "LEDGER_SIGNING_KEY_FILE": str(key_file),
        "ALLOWED_HOSTS": "changes.example.com",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        "CHANGEMGMT_VAR_DIR": str(tmp_path / "var"),
    }


def test_deploy_check_is_clean_under_production_settings(tmp_path):
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_start_up_refuses_a_missing_secret_key_when_debug_is_off(tmp_path):
    env = production_env(tmp_path)
    del env["SECRET_KEY"]
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY (or SECRET_KEY_FILE) is required when DEBUG is off" in result.stderr


def test_secret_key_may_come_from_a_file(tmp_path):
    env = production_env(tmp_path)
    secret_file = tmp_path / "secret_key"
    secret_file.write_text(env.pop("SECRET_KEY") + "\n")
    result = manage("check", env={**env, "SECRET_KEY_FILE": str(secret_file)})
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_mistyped_boolean_stops_start_up_naming_the_variable(tmp_path):
    result = manage("check", env={**production_env(tmp_path), "SECURE_SSL_REDIRECT": "ture"})
    assert result.returncode != 0
    assert "SECURE_SSL_REDIRECT must be one of true/false" in result.stderr


def test_debug_mode_runs_without_any_configuration(tmp_path):
    result = manage("check", env={"DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'dev.sqlite3'}"})
    assert result.returncode == 0, result.stderr
