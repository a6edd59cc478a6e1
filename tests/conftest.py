"""Shared fixtures: personas (one per role), frozen time, complete changes at each stage."""
import pytest
import time_machine
from django.db import connection

from changemgmt import policy
from changemgmt.ledger import guard as ledger_guard
from changemgmt.roles import Role
from tests.support import factories as f
from tests.support.cab import seat_board


def pytest_configure(config):
    """Every persona is a real user with a password, and Django's default hasher spends about 0.4 s of CPU on
    each hash (on creating a user and on every password log-in): a CAB board alone cost 3 s per test. The
    tests hash with MD5, as Django's testing guide advises; production keeps its hashers (settings.py), and
    the subprocess tests (the demo, gunicorn, the workers) run with them."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_policy_cache():
    policy.invalidate()
    yield
    policy.invalidate()


@pytest.fixture(autouse=True)
def _static_without_manifest(settings):
    """Pages render {% static %} in tests without a collectstatic manifest (production keeps it)."""
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


@pytest.fixture(autouse=True)
def _ledger_guard_survives_flush(request):
    """Transactional tests end with a flush (DELETE on SQLite), which the ledger's append-only trigger
    refuses (TRUNCATE on PostgreSQL): lift that guard for the flush only, and put it back for the next test."""
    marker = request.node.get_closest_marker("django_db")
    transactional = ({"transactional_db", "live_server"} & set(request.fixturenames)
                     or (marker is not None and marker.kwargs.get("transaction")))
    if transactional:
        request.getfixturevalue("transactional_db")
        ledger_guard.install(connection)
        yield
        ledger_guard.lift_for_flush(connection)
    else:
        yield


# The data migrations that seed rows tests rely on (roles, policy, deployment windows, beat jobs).
SEED_FUNCTIONS = [
    ("changemgmt.migrations.0002_roles_policy_ledger_guard", ["create_roles", "load_policy"]),
    ("changemgmt.migrations.0003_issue6_policy", ["load"]),
    ("changemgmt.migrations.0006_outbox_schedule_policy_backfill", ["backfill_policy", "create_job"]),
    ("changemgmt.migrations.0008_emergency_authorization_cab_review_policy", ["load"]),
    ("changemgmt.migrations.0013_policy_revision", ["create_revision", "backfill_policy"]),
    ("changes.migrations.0003_calendar_data_and_range_index", ["seed_windows", "load_policy"]),
    ("approvals.migrations.0004_sla_beat_schedule", ["create_jobs"]),
    ("approvals.migrations.0006_emergency_beat_schedule", ["create_jobs"]),
    ("cab.migrations.0002_policy_and_beat_schedule", ["load_policy", "create_jobs"]),
    ("cab.migrations.0003_minutes_retention", ["create_job"]),
    ("changemgmt.migrations.0011_notification_mail_claims", ["create_job"]),
    ("cab.migrations.0005_mail_sweep", ["create_job"]),
    ("changemgmt.migrations.0016_idempotency_keys", ["create_job"]),
    ("changemgmt.migrations.0018_merkle_tree", ["create_job"]),
    ("changemgmt.migrations.0020_webhooks", ["create_job"]),
    ("changes.migrations.0011_collaboration", ["load_policy"]),
    ("changes.migrations.0014_review_follow_up_policy_and_job", ["load_policy", "create_job"]),
    ("audit.migrations.0001_retention_tombstones", ["create_job"]),
    ("metrics.migrations.0001_monthly_report", ["create_job"]),
]


@pytest.fixture(autouse=True)
def _seeded_data_survives_flush(request):
    """A transactional test ends with a flush that also empties the rows data migrations seeded.
    Before a database test, put them back if a flush took them (one cheap query otherwise)."""
    if not ({"db", "transactional_db", "live_server"} & set(request.fixturenames)
            or request.node.get_closest_marker("django_db")):
        yield
        return
    transactional = {"transactional_db", "live_server"} & set(request.fixturenames)
    request.getfixturevalue("transactional_db" if transactional else "db")
    from importlib import import_module

    from django.apps import apps
    from django.contrib.auth.models import Group

    if not Group.objects.exists():
        for module_name, functions in SEED_FUNCTIONS:
            module = import_module(module_name)
            for name in functions:
                getattr(module, name)(apps, None)
        policy.invalidate()
    yield


@pytest.fixture
def frozen():
    """Time frozen at tests.support.factories.NOW; `frozen.move_to(dt)` moves it. Changes filed in the test are
    planned from NOW (factories.PLANNED_START) wherever the clock has moved."""
    f.plan_from = f.NOW
    try:
        with time_machine.travel(f.NOW, tick=False) as traveller:
            yield traveller
    finally:
        f.plan_from = None


@pytest.fixture
def requester(db):
    return f.make_user("alice", Role.REQUESTER, team="Payments")


@pytest.fixture
def teammate(db):
    return f.make_user("tom", Role.PEER_REVIEWER, team="Payments")


@pytest.fixture
def peer(db):
    return f.make_user("bob", Role.PEER_REVIEWER, team="Platform")


@pytest.fixture
def peer2(db):
    return f.make_user("pat", Role.PEER_REVIEWER, team="Platform")


@pytest.fixture
def manager(db):
    return f.make_user("mia", Role.MANAGER, team="Platform")


@pytest.fixture
def security(db):
    return f.make_user("sam", Role.SECURITY, team="Security")


@pytest.fixture
def dba(db):
    return f.make_user("dana", Role.DBA, team="Data")


@pytest.fixture
def operations(db):
    return f.make_user("oscar", Role.OPERATIONS, team="Operations")


@pytest.fixture
def cab_chair(db):
    return f.make_user("carol", Role.CAB_CHAIR, Role.CAB_MEMBER, team="Release")


@pytest.fixture
def cab_member(db):
    return f.make_user("cameron", Role.CAB_MEMBER, team="Operations")


@pytest.fixture
def cto(db):
    return f.make_user("cora", Role.CTO, team="Leadership")


@pytest.fixture
def auditor(db):
    return f.make_user("audrey", Role.AUDITOR)


@pytest.fixture
def outsider(db):
    return f.make_user("olga")


@pytest.fixture
def admin_user(db):
    return f.make_user("ada", Role.ADMINISTRATOR, team="Platform")


@pytest.fixture
def admin_client(client, admin_user):
    """The Django admin as the administrator persona (staff, not superuser): replaces pytest-django's
    superuser `admin_client`, so admin tests meet the same role checks as a real administrator."""
    admin_user.is_staff = True
    admin_user.save()
    client.force_login(admin_user)
    return client


@pytest.fixture
def board(cab_chair, cab_member):
    """The six CAB seats and two deputies (tests.support.cab.seat_board)."""
    return seat_board(cab_chair, cab_member)


@pytest.fixture
def boss(db):
    return f.make_user("bea", Role.MANAGER, team="Payments")


@pytest.fixture
def author(db, boss):
    """An emergency change's author, reporting to `boss`."""
    return f.make_user("al", Role.REQUESTER, team="Payments", manager=boss)
