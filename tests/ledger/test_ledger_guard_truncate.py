"""The ledger and its checkpoints refuse UPDATE, DELETE and (on PostgreSQL) TRUNCATE at the database,
whoever runs the statement."""
from datetime import UTC, datetime

import pytest
from django.db import DatabaseError, connection, transaction

from changemgmt import ledger
from changemgmt.ledger import guard as ledger_guard
from changemgmt.models import LedgerCheckpoint

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is a PostgreSQL statement")


@pytest.fixture
def guarded(db):
    ledger_guard.install(connection)  # a transactional test before this one may have lifted a flush guard
    ledger.append(actor=None, action="test.one", subject="test:1", payload={})
    return LedgerCheckpoint.objects.create(seq=1, entry_hash="a" * 64, signed_at=datetime(2026, 1, 1, tzinfo=UTC),
                                           signature="b" * 64)


def _refused(sql: str) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)


@postgres_only
@pytest.mark.parametrize("table", ledger_guard.TABLES)
def test_truncating_the_ledger_tables_is_refused(guarded, table):
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # else the fixture's pending FK checks answer first
    # CASCADE, since other tables (the pipeline's gate decisions) point at ledger entries: else the
    # foreign key refuses first and the trigger is never reached.
    _refused(f"TRUNCATE {table} CASCADE")
    assert LedgerCheckpoint.objects.count() == 1


def test_a_checkpoint_cannot_be_updated(guarded):
    _refused("UPDATE changemgmt_ledgercheckpoint SET seq = 2")
    assert LedgerCheckpoint.objects.get().seq == 1


def test_a_checkpoint_cannot_be_deleted(guarded):
    _refused("DELETE FROM changemgmt_ledgercheckpoint")
    assert LedgerCheckpoint.objects.count() == 1


def test_lifting_the_guard_is_explicit_and_temporary(guarded):
    with ledger_guard.lifted(connection):
        LedgerCheckpoint.objects.update(seq=2)
    _refused("UPDATE changemgmt_ledgercheckpoint SET seq = 3")
    assert LedgerCheckpoint.objects.get().seq == 2
