"""Database triggers that make the ledger table refuse UPDATE and DELETE.

PostgreSQL refuses both with a row trigger (TRUNCATE is a table owner's act; production revokes it
from the application's role). SQLite refuses both with triggers too; test teardown that flushes a
transactional test database lifts the DELETE guard for the flush only (tests/conftest.py).
"""

TABLE = "changemgmt_ledgerentry"
MESSAGE = "the audit ledger is append-only"

POSTGRES_INSTALL = f"""
CREATE OR REPLACE FUNCTION changemgmt_ledger_refuse() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS ledger_append_only ON {TABLE};
CREATE TRIGGER ledger_append_only BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION changemgmt_ledger_refuse();
"""
POSTGRES_REMOVE = f"DROP TRIGGER IF EXISTS ledger_append_only ON {TABLE};"

SQLITE_UPDATE_GUARD = (f"CREATE TRIGGER IF NOT EXISTS ledger_no_update BEFORE UPDATE ON {TABLE} "
                       f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;")
SQLITE_DELETE_GUARD = (f"CREATE TRIGGER IF NOT EXISTS ledger_no_delete BEFORE DELETE ON {TABLE} "
                       f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;")


def install(connection) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(POSTGRES_INSTALL)
        elif connection.vendor == "sqlite":
            cursor.execute(SQLITE_UPDATE_GUARD)
            cursor.execute(SQLITE_DELETE_GUARD)


def remove(connection) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(POSTGRES_REMOVE)
        elif connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER IF EXISTS ledger_no_update")
            cursor.execute("DROP TRIGGER IF EXISTS ledger_no_delete")
