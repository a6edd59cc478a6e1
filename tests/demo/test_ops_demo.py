"""`manage.py demo`: a new user gets a login for every role and changes in every state."""
from io import StringIO

from django.core.management import call_command
from django.test import Client

from changemgmt.models import LedgerEntry, User
from changemgmt.roles import Role, roles_of
from changes.choices import ChangeType, State
from changes.models import ChangeRequest, RollbackRecord, StandardTemplate
from demo import data, people


def test_demo_people_cover_every_role_and_log_in_with_the_printed_password(db):
    users = people.ensure_people()
    held = set().union(*(roles_of(user) for user in users))
    assert held >= set(Role.values)
    for user in users:
        assert user.team_id or Role.AUDITOR in roles_of(user)
        assert user.manager_id or Role.CTO in roles_of(user), f"{user.username} has no manager"
    assert Client().login(username="alice", password=data.DEMO_PASSWORD)
    assert people.ensure_people() == users and User.objects.count() == len(users)  # idempotent


def test_demo_command_fills_an_empty_database_with_every_state_through_the_services(db):
    out = StringIO()
    call_command("demo", stdout=out)
    printed = out.getvalue()

    states = set(ChangeRequest.objects.values_list("state", flat=True))
    assert states == set(State.values)
    assert 45 <= ChangeRequest.objects.count() <= 60
    for user in User.objects.all():
        assert user.username in printed
    assert data.DEMO_PASSWORD in printed
    assert StandardTemplate.objects.filter(name__in=[t["name"] for t in data.TEMPLATES]).count() == 4
    assert ChangeRequest.objects.filter(change_type=ChangeType.STANDARD, template__isnull=False).exists()
    assert set(ChangeRequest.objects.exclude(risk_level="").values_list("risk_level", flat=True)) == {
        "low", "medium", "high", "critical"}
    assert RollbackRecord.objects.count() >= 2
    # Built through the services: every change has its ledger trail, and the chain verifies.
    some = ChangeRequest.objects.filter(state=State.CLOSED).first()
    actions = list(LedgerEntry.objects.filter(subject=f"changes.changerequest:{some.pk}")
                   .values_list("action", flat=True))
    assert {"change.created", "change.deploy", "change.close"} <= set(actions)
    verified = StringIO()
    call_command("ledger", "verify", stdout=verified)
    assert "intact" in verified.getvalue()

    before = ChangeRequest.objects.count()
    again = StringIO()
    call_command("demo", stdout=again)
    assert ChangeRequest.objects.count() == before
    assert "already has changes" in again.getvalue()
