"""The front door scripts (`./run`, `.ci/run`) and docker-compose.yml are well-formed."""
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("script", ["run", ".ci/run"])
def test_scripts_are_valid_executable_bash(script):
    path = ROOT / script
    assert path.stat().st_mode & 0o111, f"{script} is not executable"
    assert subprocess.run(["bash", "-n", str(path)], capture_output=True).returncode == 0


def test_run_without_a_command_explains_the_two_commands():
    result = subprocess.run([str(ROOT / "run")], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0
    assert "./run demo" in result.stdout and "./run test" in result.stdout


def test_run_refuses_an_unknown_command():
    result = subprocess.run([str(ROOT / "run"), "deploy-to-prod"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 2


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="docker-compose is not installed")
def test_compose_file_is_accepted_without_a_dot_env():
    result = subprocess.run(["docker-compose", "-f", str(ROOT / "docker-compose.yml"), "--project-directory",
                             str(ROOT), "config", "-q"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
