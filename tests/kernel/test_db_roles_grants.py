"""Production connects as an application role that owns no table and is no superuser: it reads and
writes application rows, appends to the ledger, and can neither rewrite the ledger nor switch off
its triggers (PostgreSQL only; the role is created and dropped by the test)."""
import os

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

pytestmark = [pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL roles"),
              pytest.mark.django_db(transaction=True)]

PASSWORD = "app-role-test-only"


@pytest.fixture
def app_role():
    role = f"changemgmt_app_test_{os.getpid()}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} LOGIN NOSUPERUSER NOINHERIT PASSWORD '{PASSWORD}'")
    try:
        yield role
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP OWNED BY {role}")
            cursor.execute(f"DROP ROLE {role}")


def _as(role):
    settings = connection.settings_dict
    return psycopg.connect(host=settings["HOST"] or "127.0.0.1", port=settings["PORT"] or 5432,
                           dbname=settings["NAME"], user=role, password=PASSWORD, autocommit=True)


def _refused(conn, sql):
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(sql)


def test_the_app_role_writes_rows_and_appends_but_cannot_rewrite_the_ledger(app_role):
    call_command("grant_app_role", app_role, stdout=open(os.devnull, "w"))

    with _as(app_role) as conn:
        conn.execute("UPDATE changes_changerequest SET title = title WHERE false")
        conn.execute("SELECT pg_advisory_xact_lock(1)")
        conn.execute("INSERT INTO changemgmt_team (name) VALUES ('Search')")
        for table in ("changemgmt_ledgerentry", "changemgmt_ledgercheckpoint"):
            assert conn.execute(f"SELECT has_table_privilege('{table}', 'SELECT, INSERT')").fetchone()[0]
        for table in ("changemgmt_ledgerentry", "changemgmt_ledgercheckpoint"):
            _refused(conn, f"UPDATE {table} SET seq = seq")
            _refused(conn, f"DELETE FROM {table}")
            _refused(conn, f"TRUNCATE {table}")
            _refused(conn, f"DROP TRIGGER {table}_append_only ON {table}")
        _refused(conn, "SET session_replication_role = replica")


def test_a_superuser_is_refused_as_the_app_role():
    with pytest.raises(CommandError, match="is a superuser"):
        call_command("grant_app_role", connection.settings_dict["USER"] or "postgres")
