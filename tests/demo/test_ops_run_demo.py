"""`./run demo` shows the logins and the address in the terminal; web, worker, beat and the seeding log
to files under var/log/, so no task log line reaches the terminal."""
import re
from io import StringIO
from pathlib import Path

from django.core.management import call_command

from changemgmt.models import User

ROOT = Path(__file__).resolve().parents[2]


def _demo_function() -> str:
    script = (ROOT / "run").read_text()
    return script[script.index("cmd_demo() {"):script.index("cmd_test() {")]


def test_run_demo_sends_every_process_log_to_var_log():
    demo = _demo_function()
    assert '"$PY" manage.py runserver' in demo and '>>"$logs/web.log" 2>&1 &' in demo
    assert '>>"$logs/worker.log" 2>&1 &' in demo and '>>"$logs/beat.log" 2>&1 &' in demo
    assert 'manage.py migrate --no-input -v 0 >>"$logs/setup.log" 2>&1' in demo
    assert 'manage.py demo 2>>"$logs/setup.log"' in demo  # stdout (the logins) stays on the terminal
    assert "changemgmt is running at http://127.0.0.1:" in demo


def test_the_demo_command_prints_the_summary_the_meeting_and_the_logins_only(db):
    out = StringIO()
    call_command("demo", stdout=out)
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    usernames = set(User.objects.values_list("username", flat=True))
    for line in lines:
        login = re.match(r"  (\S+)  ", line)
        assert (line.startswith(("Demo data created:", "Next CAB meeting", "Demo logins"))
                or (login and login.group(1) in usernames)), f"unexpected terminal line: {line!r}"
