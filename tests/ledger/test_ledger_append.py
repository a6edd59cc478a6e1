"""Appending builds one hash chain; a fork fails loudly; policy edits are ledger entries."""
import hashlib
import json

import pytest
from django.db import IntegrityError, transaction

from changemgmt import ledger, policy, policy_services
from changemgmt.ledger import audit as ledger_audit
from changemgmt.ledger.verifier import GENESIS_HASH
from changemgmt.models import LedgerEntry


def _append(n, actor=None):
    for i in range(n):
        with transaction.atomic():
            ledger.append(actor=actor, action="test.event", subject=f"thing:{i}", payload={"i": i, "note": "café"})


def test_appends_form_one_chain_from_genesis(db, requester):
    _append(4, actor=requester)
    entries = list(LedgerEntry.objects.order_by("seq"))

    assert [e.seq for e in entries] == [1, 2, 3, 4]
    assert entries[0].prev_hash == GENESIS_HASH
    assert [e.prev_hash for e in entries[1:]] == [e.entry_hash for e in entries[:-1]]
    assert entries[0].actor == requester and entries[0].actor_name == "alice"
    assert ledger_audit.verify_database().intact


def test_entry_hash_is_sha256_of_the_documented_canonical_json(db, frozen):
    entry = ledger.append(actor=None, action="test.event", subject="thing:1", payload={"b": [1, 2], "a": "é"})

    canonical = json.dumps({
        "seq": 1, "recorded_at": "2026-11-23T17:00:00.000000Z", "actor": "system", "action": "test.event",
        "subject": "thing:1", "payload": {"a": "é", "b": [1, 2]}, "prev_hash": GENESIS_HASH,
    }, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    assert entry.entry_hash == hashlib.sha256(canonical).hexdigest()


def test_subject_object_is_recorded_as_label_and_pk(db, requester):
    entry = ledger.append(actor=requester, action="test.event", subject=requester)

    assert entry.subject == f"changemgmt.user:{requester.pk}"


def test_payload_that_is_not_json_is_refused(db):
    with pytest.raises(ValueError):
        ledger.append(actor=None, action="test.event", subject="thing:1", payload={"x": float("nan")})
    assert not LedgerEntry.objects.exists()


def test_numbers_hash_the_same_after_a_round_trip_through_the_database(db):
    """PostgreSQL's jsonb rewrites 1e+16 as 10000000000000000 and -0.0 as 0.0: append hashes the
    form the database gives back, so verification does not cry wolf over a number."""
    ledger.append(actor=None, action="test.event", subject="thing:1",
                  payload={"big": 1e16, "huge": -2.5e20, "zero": -0.0, "small": 1e-7, "plain": 1.25, "n": 3})

    assert LedgerEntry.objects.get().payload == {"big": 10**16, "huge": -25 * 10**19, "zero": 0.0,
                                                 "small": 1e-7, "plain": 1.25, "n": 3}
    assert ledger_audit.verify_database().intact


def test_two_writers_reading_the_same_head_cannot_fork_the_chain(db):
    """What the advisory lock prevents, the unique constraints still refuse: a second entry that
    claims the same predecessor (or the same seq) is an IntegrityError, never a branch."""
    _append(1)
    head = LedgerEntry.objects.get(seq=1)
    fields = {"recorded_at": head.recorded_at, "actor_name": "system", "action": "fork", "subject": "x:1"}
    LedgerEntry.objects.create(seq=2, prev_hash=head.entry_hash, entry_hash="a" * 64, **fields)

    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(seq=3, prev_hash=head.entry_hash, entry_hash="b" * 64, **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(seq=2, prev_hash="c" * 64, entry_hash="d" * 64, **fields)
    assert LedgerEntry.objects.count() == 2


def test_policy_edit_is_a_ledger_entry(db, admin_user):
    before = policy.get("sla_business_days")
    after = {**before, "low": before["low"] + 1}

    policy_services.update_setting(key="sla_business_days", value=after, actor=admin_user)

    entry = LedgerEntry.objects.get()
    assert (entry.action, entry.subject, entry.actor_name) == ("policy.updated", "policy:sla_business_days", "ada")
    assert entry.payload == {"key": "sla_business_days", "from": before, "to": after}
    assert ledger_audit.verify_database().intact
