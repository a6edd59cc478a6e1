"""The operator's commands that write users are doors to changemgmt.people_services:
`createsuperuser` leaves the account's `user.created` ledger entry and history row, `changepassword`
a `user.password_set` entry without the secret; a refused command writes nothing."""
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from changemgmt import people_services
from changemgmt.models import LedgerEntry, User
from changemgmt.people_commands.management.commands import changepassword
from tests.support import factories as f

ROOT = Path(__file__).resolve().parents[2]
APPLICATION_PACKAGES = ("changemgmt", "approvals", "changes", "cab")


def _actions() -> list[str]:
    return list(LedgerEntry.objects.values_list("action", flat=True))


@pytest.mark.django_db
def test_createsuperuser_writes_the_account_with_its_ledger_entry_and_history(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-Pass-2026!")

    call_command("createsuperuser", "--noinput", username="root", email="root@example.com", verbosity=0)

    user = User.objects.get(username="root")
    assert user.is_superuser and user.is_staff and user.check_password("a-long-Pass-2026!")
    entry = LedgerEntry.objects.get()
    assert (entry.action, entry.actor_name, entry.subject) == ("user.created", "system", f"changemgmt.user:{user.pk}")
    assert entry.payload["after"]["is_superuser"] is True and "a-long" not in str(entry.payload)
    assert user.history.count() == 1 and user.history.get().history_type == "+"


@pytest.mark.django_db
def test_a_refused_createsuperuser_writes_nothing(monkeypatch, requester):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-Pass-2026!")
    history = User.history.count()

    with pytest.raises(CommandError, match="already taken"):
        call_command("createsuperuser", "--noinput", username=requester.username, email="x@example.com",
                     verbosity=0)

    assert _actions() == [] and User.history.count() == history


@pytest.mark.django_db
def test_create_superuser_in_code_goes_through_the_service_too():
    user = people_services.create_superuser("scripted", "s@example.com", None)

    assert not user.has_usable_password()
    assert _actions() == ["user.created"] and user.history.count() == 1


@pytest.mark.django_db
def test_changepassword_sets_the_password_through_the_service(monkeypatch, requester):
    monkeypatch.setattr(changepassword.Command, "_get_pass", lambda self, prompt="": "another-Pass-2026!")
    history = requester.history.count()

    call_command("changepassword", requester.username, stdout=StringIO())

    requester.refresh_from_db()
    assert requester.check_password("another-Pass-2026!")
    entry = LedgerEntry.objects.get()
    assert (entry.action, entry.actor_name) == ("user.password_set", "system")
    assert "another" not in str(entry.payload)
    assert requester.history.count() == history  # credentials never reach the row history


@pytest.mark.django_db
def test_changepassword_refusing_a_weak_password_writes_nothing(monkeypatch, requester):
    monkeypatch.setattr(changepassword.Command, "_get_pass", lambda self, prompt="": "123")

    with pytest.raises(CommandError, match="after 3 attempts"):
        call_command("changepassword", requester.username, stdout=StringIO(), stderr=StringIO())

    requester.refresh_from_db()
    assert requester.check_password(f.PASSWORD) and _actions() == []


def test_the_audited_commands_win_over_django_contrib_auth():
    from django.core.management import get_commands

    assert get_commands()["changepassword"] == "changemgmt.people_commands"
    assert get_commands()["createsuperuser"] == "changemgmt.people_commands"


def test_no_application_module_creates_users_outside_the_people_service():
    """`create_user` and `create_superuser` are Django's plain writes (kept for fixtures): a door calling
    them would skip the ledger."""
    callers = [str(path.relative_to(ROOT)) for package in APPLICATION_PACKAGES
               for path in (ROOT / package).rglob("*.py")
               if "migrations" not in path.parts and re.search(
                   r"\.create_user\(|objects\.create_superuser\(|User\.objects\.create\(", path.read_text())]
    assert callers == []


def test_run_and_readme_name_the_audited_createsuperuser():
    assert "./run manage createsuperuser" in (ROOT / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "`./run manage createsuperuser`" in readme and "`manage.py changepassword`" in readme
