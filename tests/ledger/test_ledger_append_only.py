"""The ledger table itself refuses UPDATE and DELETE: raw SQL, querysets and model instances alike."""
import pytest
from django.db import DatabaseError, connection, transaction

from changemgmt import ledger
from changemgmt.models import LedgerEntry


@pytest.fixture
def entry(db):
    return ledger.append(actor=None, action="test.event", subject="thing:1", payload={"amount": 10})


def _refused(sql):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)


def test_raw_sql_update_is_refused(entry):
    _refused("UPDATE changemgmt_ledgerentry SET action = 'forged'")
    assert LedgerEntry.objects.get().action == "test.event"


def test_raw_sql_delete_is_refused(entry):
    _refused("DELETE FROM changemgmt_ledgerentry")
    assert LedgerEntry.objects.count() == 1


def test_queryset_update_and_delete_are_refused_by_the_database(entry):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).update(payload={"amount": 999})
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        LedgerEntry.objects.all().delete()
    assert LedgerEntry.objects.get().payload == {"amount": 10}


def test_model_save_and_delete_are_refused(entry):
    entry.action = "forged"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    assert LedgerEntry.objects.get().action == "test.event"
