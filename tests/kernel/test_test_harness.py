"""What the README's "Continuous integration" promises of the test harness itself: a hung test fails after
a bounded time, and the tests hash passwords cheaply while production keeps Django's hashers."""
import os
import subprocess
import sys
import tomllib
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def test_a_hung_test_fails_after_the_configured_timeout():
    options = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    assert 0 < int(options["timeout"]) <= 900
    assert "--durations=15" in (ROOT / ".ci" / "run").read_text()


def test_the_tests_hash_with_md5_and_production_keeps_its_hashers():
    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]
    script = "import django; django.setup(); from django.conf import settings; print(settings.PASSWORD_HASHERS[0])"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "changemgmt.settings", "DEBUG": "1"}
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.stdout.strip() == "django.contrib.auth.hashers.PBKDF2PasswordHasher", result.stderr[-2000:]
