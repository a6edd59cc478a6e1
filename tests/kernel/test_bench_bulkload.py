"""A large bench seed drops the big tables' secondary indexes and unique/foreign-key constraints and builds
them after (bench/bulkload.py): the schema afterwards must be exactly the one `migrate` made, a failed
load must still get them back, and a chain seeded that way must verify."""
import sys
from pathlib import Path

import pytest
from django.db import connection

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import bulkload  # noqa: E402
import seeding  # noqa: E402

pytestmark = [pytest.mark.django_db, pytest.mark.skipif(connection.vendor != "postgresql",
                                                        reason="the fast seed and its catalog are PostgreSQL's")]
TABLES = ["changes_changerequest", "approvals_approvalslot", "changemgmt_ledgerentry"]
CATALOG = """
SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%(tables)s)
UNION ALL
SELECT conname, concat_ws(' ', contype, condeferrable, condeferred, convalidated, pg_get_constraintdef(oid))
  FROM pg_constraint WHERE conrelid = ANY(%(tables)s::regclass[])
ORDER BY 1, 2
"""


@pytest.fixture(autouse=True)
def _no_pending_checks():
    """A test runs in one transaction, and PostgreSQL will not drop a foreign key while deferred checks of
    the tables it links are pending (a seed runs in autocommit and has none): check what is there now."""
    from demo import people as demo

    demo.ensure_people()
    demo.ensure_catalog()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def catalog(cursor):
    cursor.execute(CATALOG, {"tables": TABLES})
    return cursor.fetchall()


def statements():
    from approvals.models import ApprovalSlot
    from changemgmt.models import LedgerEntry
    from changes.models import ChangeRequest

    with connection.schema_editor(collect_sql=True) as editor:
        return bulkload.model_statements([ChangeRequest, ApprovalSlot, LedgerEntry], editor)


def test_the_indexes_come_back_exactly_as_migrate_made_them():
    with connection.cursor() as cursor:
        before = catalog(cursor)
        with bulkload.indexes_set_aside(cursor, TABLES, statements=statements()) as saved:
            left = {name for name, _definition in catalog(cursor)}
        assert catalog(cursor) == before
    assert left == {"changes_changerequest_pkey", "approvals_approvalslot_pkey", "changemgmt_ledgerentry_pkey"} | {
        name for name, definition in before if definition.startswith("c ")}  # primary keys and CHECKs stay
    assert {"change_calendar_start", "changemgmt_ledgerentry_entry_hash_key",
            "approvals_approvalsl_change_id_49039e2c_fk_changes_c"} <= {name for _kind, name, *_ in saved}


def test_a_failed_load_still_gets_its_indexes_back():
    with connection.cursor() as cursor:
        before = catalog(cursor)
        with pytest.raises(RuntimeError, match="the load failed"), \
                bulkload.indexes_set_aside(cursor, TABLES, statements=statements()):
            raise RuntimeError("the load failed")
        assert catalog(cursor) == before


def test_a_definition_that_would_come_back_different_is_refused():
    """PostgreSQL prints the calendar index's `state IN (...)` back in a form that parses to another text:
    replayed from the catalog alone, it would differ from what `migrate` made."""
    with connection.cursor() as cursor, pytest.raises(RuntimeError, match="change_calendar_start"):
        with bulkload.indexes_set_aside(cursor, ["changes_changerequest"]):
            pass


def test_a_seed_with_its_indexes_set_aside_verifies():
    from changemgmt.ledger import audit

    result = seeding.seed(120, chunk=50, set_aside=True)
    assert result["rows"]["changemgmt_ledgerentry"] == 480
    assert audit.verify_database().intact


@pytest.mark.django_db(transaction=True)
def test_a_seed_outside_a_transaction_ends_vacuumed_as_autovacuum_would_leave_it():
    seeding.seed(60, chunk=30, set_aside=False, progress=open("/dev/null", "w"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_vacuum IS NOT NULL, last_analyze IS NOT NULL FROM pg_stat_user_tables "
                       "WHERE relname = 'changes_changerequest'")
        assert cursor.fetchone() == (True, True)
