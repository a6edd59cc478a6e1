"""Appending to the audit ledger: the one write every service makes in its own transaction.

Appends are serialized inside the inserting transaction: on PostgreSQL with a transaction-scoped
advisory lock (locking the last row would not serialize an empty table), on SQLite by the
IMMEDIATE transaction mode set in settings. Unique `seq` and `prev_hash` make any fork that slips
past the lock fail loudly instead of branching the chain.
"""
import json
from datetime import UTC, datetime
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from changemgmt.ledger import merkle_store
from changemgmt.ledger.models import LedgerEntry
from changemgmt.ledger.verifier import GENESIS_HASH, entry_hash

ADVISORY_LOCK_KEY = 0x6C6564676572  # "ledger"


def _serialize_append():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])


def _portable_float(text: str):
    """Parse a float the way it will come back from PostgreSQL's jsonb (which stores JSON numbers as
    exact decimals), so the hash is the same before and after storage on either database: -0.0 comes
    back as 0.0, and a float written in exponent form from 1e16 up comes back as an integer."""
    value = float(text)
    if value == 0:
        return 0.0
    if abs(value) >= 1e16:
        return int(Decimal(text))
    return value


def format_time(moment) -> str:
    """The hashed text of a time: UTC, always six fractional digits, "Z" (2026-11-23T17:00:00.000000Z)."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def actor_label(actor) -> str:
    if actor is None:
        return "system"
    return getattr(actor, "username", None) or str(actor)


def subject_of(obj) -> str:
    return f"{obj._meta.label_lower}:{obj.pk}"


def append(*, actor, action: str, subject, payload: dict | None = None) -> LedgerEntry:
    """Append one entry. Must run inside the transaction of the action it records."""
    subject_text = subject if isinstance(subject, str) else subject_of(subject)
    # Round-trip through JSON so what is stored is exactly what was hashed (dates become text).
    # NaN and Infinity are not JSON: refused here rather than hashed in a form no verifier parses.
    clean_payload = json.loads(json.dumps(payload or {}, cls=DjangoJSONEncoder, allow_nan=False),
                               parse_float=_portable_float)
    with transaction.atomic():
        _serialize_append()
        last = LedgerEntry.objects.order_by("-seq").values("seq", "entry_hash").first()
        fields = {
            "seq": (last["seq"] + 1) if last else 1,
            "recorded_at": format_time(timezone.now()),
            "actor": actor_label(actor),
            "action": action,
            "subject": subject_text,
            "payload": clean_payload,
            "prev_hash": last["entry_hash"] if last else GENESIS_HASH,
        }
        return merkle_store.add_leaf(LedgerEntry.objects.create(
            seq=fields["seq"],
            recorded_at=datetime.fromisoformat(fields["recorded_at"]),
            actor=actor if getattr(actor, "pk", None) else None,
            actor_name=fields["actor"],
            action=action,
            subject=subject_text,
            payload=clean_payload,
            prev_hash=fields["prev_hash"],
            entry_hash=entry_hash(fields),
        ))
