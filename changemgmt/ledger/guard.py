"""Database triggers that make the ledger and its checkpoints append-only.

PostgreSQL refuses UPDATE and DELETE with a row trigger and TRUNCATE with a statement trigger on
both tables, so even their owner cannot rewrite them without first dropping the triggers (which
takes the owner's role: production connects as an application role that owns no table and is no
superuser, see changemgmt.db_roles). SQLite refuses UPDATE and DELETE with triggers (it has no
TRUNCATE). Test teardown that flushes a transactional test database lifts the guards for the flush
only (`lift_for_flush`, called by tests/conftest.py).
"""
from contextlib import contextmanager

TABLES = ("changemgmt_ledgerentry", "changemgmt_ledgercheckpoint")
MESSAGE = "the audit ledger is append-only"

_FUNCTION = f"""
CREATE OR REPLACE FUNCTION changemgmt_ledger_refuse() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def _pg_row_trigger(table: str) -> str:
    return f"{table}_append_only"


def _pg_truncate_trigger(table: str) -> str:
    return f"{table}_no_truncate"


def _sqlite_trigger(table: str, operation: str) -> str:
    # The ledger's original names are kept so existing databases keep one trigger per operation.
    prefix = "ledger" if table == "changemgmt_ledgerentry" else "ledger_checkpoint"
    return f"{prefix}_no_{operation.lower()}"


def _postgres_install(cursor) -> None:
    cursor.execute(_FUNCTION)
    cursor.execute("DROP TRIGGER IF EXISTS ledger_append_only ON changemgmt_ledgerentry")  # the 0002 name
    for table in TABLES:
        cursor.execute(f"DROP TRIGGER IF EXISTS {_pg_row_trigger(table)} ON {table}")
        cursor.execute(f"CREATE TRIGGER {_pg_row_trigger(table)} BEFORE UPDATE OR DELETE ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION changemgmt_ledger_refuse()")
        cursor.execute(f"DROP TRIGGER IF EXISTS {_pg_truncate_trigger(table)} ON {table}")
        cursor.execute(f"CREATE TRIGGER {_pg_truncate_trigger(table)} BEFORE TRUNCATE ON {table} "
                       "FOR EACH STATEMENT EXECUTE FUNCTION changemgmt_ledger_refuse()")


def _postgres_remove(cursor, *, truncate_only: bool = False) -> None:
    for table in TABLES:
        cursor.execute(f"DROP TRIGGER IF EXISTS {_pg_truncate_trigger(table)} ON {table}")
        if not truncate_only:
            cursor.execute(f"DROP TRIGGER IF EXISTS {_pg_row_trigger(table)} ON {table}")
    if not truncate_only:
        cursor.execute("DROP TRIGGER IF EXISTS ledger_append_only ON changemgmt_ledgerentry")


def _sqlite_install(cursor) -> None:
    for table in TABLES:
        for operation in ("UPDATE", "DELETE"):
            cursor.execute(f"CREATE TRIGGER IF NOT EXISTS {_sqlite_trigger(table, operation)} BEFORE {operation} "
                           f"ON {table} BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;")


def _sqlite_remove(cursor, operations=("UPDATE", "DELETE")) -> None:
    for table in TABLES:
        for operation in operations:
            cursor.execute(f"DROP TRIGGER IF EXISTS {_sqlite_trigger(table, operation)}")


def install(connection) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _postgres_install(cursor)
        elif connection.vendor == "sqlite":
            _sqlite_install(cursor)


def remove(connection) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _postgres_remove(cursor)
        elif connection.vendor == "sqlite":
            _sqlite_remove(cursor)


def lift_for_flush(connection) -> None:
    """Drop only what a test database flush trips over (DELETE on SQLite, TRUNCATE on PostgreSQL)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _postgres_remove(cursor, truncate_only=True)
        elif connection.vendor == "sqlite":
            _sqlite_remove(cursor, operations=("DELETE",))


@contextmanager
def lifted(connection):
    """Lift every guard for the block (tests that tamper on purpose), then put them back."""
    remove(connection)
    try:
        yield
    finally:
        install(connection)
