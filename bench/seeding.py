"""Seed N changes fast for the benchmarks: COPY on PostgreSQL (psycopg 3 `cursor.copy`), committed in
chunks as it goes, so 1,000,000 changes fit in minutes instead of one transaction that never ends. A large
seed sets the tables' secondary indexes and unique/foreign-key constraints aside and builds them after
(bulkload.py): their upkeep row by row was most of the time.

Each change gets an affected service, a history row, approval slots as its state implies (granted,
pending or rejected, each with its history row), test evidence once it is past approval, and four
ledger entries. The ledger chain is valid: every entry's hash is computed with the ledger's own
`entry_hash` over the same canonical fields `ledger.append` hashes (recorded_at formatted by
`ledger.format_time`), chained from the current head, so `manage.py ledger verify` passes.
What the seed does NOT write: Merkle tree nodes for the new entries (`manage.py merkle backfill`
adds them when a benchmark needs proofs), notifications and outbox rows.

Benchmark infrastructure only: it writes with SQL directly, bypassing the services on purpose
(bench/ is outside the packages the write-path test covers). Never point it at production.
"""
import json
import random
import sys
import time
from contextlib import nullcontext
from datetime import timedelta

CHUNK = 20_000  # changes per transaction
SET_ASIDE_FROM = 100_000  # from this many changes (and at least as many as there are) indexes are rebuilt after
SLOT_ROLES = {"low": ["peer", "peer"], "medium": ["peer", "peer", "manager"],
              "high": ["peer", "peer", "manager", "security", "cab"],
              "critical": ["peer", "peer", "manager", "security", "cab", "cto"]}
LEDGER_ACTIONS = ("change.created", "change.submit", "change.risk_scored", "change.assess")


def _template(model, now) -> dict:
    """column -> value a row gets unless the seed sets it: the field default, else '' / NULL / now."""
    from django.db import models

    row = {}
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        if field.has_default():
            value = field.get_default()
        elif field.null:
            value = None
        elif isinstance(field, models.DateTimeField):
            value = now
        elif isinstance(field, (models.CharField, models.TextField)):
            value = ""
        else:
            value = None
        if isinstance(value, (dict, list)):
            value = json.dumps(value)
        row[field.column] = value
    return row


class Table:
    """COPY rows into one model's table: `add(**columns)` buffers a row over the model's defaults."""

    def __init__(self, model, now, *, with_id: bool = True):
        self.model, self.table = model, model._meta.db_table
        self.template = _template(model, now)
        self.columns = (["id"] if with_id else []) + list(self.template)
        self.rows: list[tuple] = []

    def add(self, **values) -> None:
        row = {**self.template, **values}
        self.rows.append(tuple(row[column] for column in self.columns))

    def flush(self, raw_cursor) -> int:
        if not self.rows:
            return 0
        names = ", ".join(f'"{column}"' for column in self.columns)
        with raw_cursor.copy(f'COPY "{self.table}" ({names}) FROM STDIN') as copy:
            for row in self.rows:
                copy.write_row(row)
        count, self.rows = len(self.rows), []
        return count


def open_database(database_url: str, *, reseed: bool, changes: int, seed_more=None) -> int:
    """What a page benchmark does first: production settings (bench/benchlib.py), its own database created
    (dropped first with `reseed`) and migrated, static files without a manifest, and at least `changes`
    changes in it, the missing ones added by `seed_more(count)` (this module's `seed` unless given).
    Returns the number of changes."""
    from benchlib import configure, plain_static_files, recreate_database

    configure(database_url)
    recreate_database(database_url, drop=reseed)
    import django

    django.setup()
    plain_static_files()
    from django.core.management import call_command

    from changes.models import ChangeRequest

    call_command("migrate", verbosity=0)
    have = ChangeRequest.objects.count()
    if have < changes:
        (seed_more or seed)(changes - have)
    return ChangeRequest.objects.count()


def chain_hash(*, seq: int, recorded_at, actor_name: str, action: str, subject: str, payload: dict,
               prev_hash: str) -> str:
    """The hash `ledger.append` would give this entry (the ledger's own `entry_hash` over its canonical
    fields), so a seeded chain verifies. `recorded_at` is a datetime or already `format_time`d text."""
    from changemgmt.ledger.services import format_time
    from changemgmt.ledger.verifier import entry_hash

    if not isinstance(recorded_at, str):
        recorded_at = format_time(recorded_at)
    return entry_hash({"seq": seq, "recorded_at": recorded_at, "actor": actor_name, "action": action,
                       "subject": subject, "payload": payload, "prev_hash": prev_hash})


def ledger_head() -> tuple[int, str]:
    """(seq, entry_hash) of the ledger's last entry, or (0, the genesis hash) when it is empty."""
    from changemgmt.ledger.verifier import GENESIS_HASH
    from changemgmt.models import LedgerEntry

    last = LedgerEntry.objects.order_by("-seq").values_list("seq", "entry_hash").first()
    return last or (0, GENESIS_HASH)


def next_id(cursor, table: str) -> int:
    cursor.execute(f'SELECT COALESCE(MAX(id), 0) + 1 FROM "{table}"')
    return cursor.fetchone()[0]


def reset_sequence(cursor, table: str) -> None:
    cursor.execute(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                   f'COALESCE((SELECT MAX(id) FROM "{table}"), 1))')


def seed(count: int, *, chunk: int = CHUNK, rng_seed: int = 42, progress=sys.stderr, set_aside=None) -> dict:
    """Append `count` changes (and what hangs off them); return the row counts and the seconds it took.
    With `set_aside` (by default: a large seed, see SET_ASIDE_FROM) the tables' secondary indexes and
    unique/foreign-key constraints are dropped for the load and built after it (bulkload.py)."""
    from bulkload import indexes_set_aside, model_statements
    from django.db import connection, transaction
    from django.utils import timezone

    from approvals.models import ApprovalSlot
    from changemgmt.ledger.services import format_time
    from changemgmt.models import LedgerEntry
    from changes.models import ChangeRequest, TestEvidence
    from demo import people as demo

    assert connection.vendor == "postgresql", "the fast seed uses COPY: run it against PostgreSQL"
    rng = random.Random(rng_seed)
    with transaction.atomic():
        people = demo.ensure_people()
        services, _templates = demo.ensure_catalog()
    by_name = {user.username: user for user in people}
    authors = [by_name["alice"], by_name["ravi"]]
    approvers = {"peer": by_name["bob"], "manager": by_name["mia"], "security": by_name["sam"],
                 "dba": by_name["dana"], "operations": by_name["oscar"], "cab": by_name["carol"],
                 "cto": by_name["cora"]}
    second_peer = by_name["pat"]
    from changes.choices import Category, State

    states = list(State.values)
    late = {State.TESTING, State.READY, State.DEPLOYED, State.VERIFIED, State.CLOSED, State.ROLLED_BACK}
    decided = late | {State.REJECTED}
    categories = list(Category.values)
    now = timezone.now()
    now_text = format_time(now)
    description = "Bench data. " * 20

    changes = Table(ChangeRequest, now)
    change_history = Table(ChangeRequest.history.model, now, with_id=False)
    links = Table(ChangeRequest.services.through, now, with_id=False)
    slots = Table(ApprovalSlot, now)
    slot_history = Table(ApprovalSlot.history.model, now, with_id=False)
    evidence = Table(TestEvidence, now, with_id=False)
    ledger = Table(LedgerEntry, now, with_id=False)
    tables = (changes, change_history, links, slots, slot_history, evidence, ledger)
    totals = {table.table: 0 for table in tables}

    started = time.perf_counter()
    with connection.cursor() as cursor:
        change_id = next_id(cursor, changes.table)
        slot_id = next_id(cursor, slots.table)
    seq, prev = ledger_head()
    if set_aside is None:
        set_aside = count >= max(SET_ASIDE_FROM, change_id - 1)
    done = 0
    with connection.schema_editor(collect_sql=True) as editor:
        statements = model_statements([table.model for table in tables], editor)
    with connection.cursor() as ddl, (indexes_set_aside(ddl, [table.table for table in tables], statements=statements)
                                      if set_aside else nullcontext()):
        ddl.execute("SET synchronous_commit = off")  # a crash loses the last chunks of a bench seed: fine
        while done < count:
            size = min(chunk, count - done)
            for index in range(done, done + size):
                state = states[index % len(states)]
                risk = ("low", "medium", "high", "critical")[index % 4]
                start = now + timedelta(days=rng.randint(-120, 60), hours=rng.randint(0, 3))
                author = authors[index % 2]
                service = services[index % len(services)]
                values = dict(
                    title=f"Bench change {index}: upgrade {service.name}", description=description,
                    business_justification="Keeps the service healthy.", impact_systems="one service",
                    impact_users="some users", implementation_plan="Pipeline.", test_plan="CI suites.",
                    rollback_plan="Redeploy the previous release.", planned_start=start,
                    planned_end=start + timedelta(minutes=45), change_type="normal" if index % 10 else "emergency",
                    category=categories[index % 4], requester_id=author.pk, owner_id=author.pk,
                    team_id=author.team_id, state=state, risk_systems=2, risk_users=2, risk_data=2,
                    risk_reversibility=1, risk_security=1, risk_computed=risk, risk_level=risk,
                    outcome="successful" if state == State.CLOSED else "",
                    submitted_at=None if state == State.DRAFT else start - timedelta(days=8),
                    closed_at=now if state == State.CLOSED else None, created_at=now, updated_at=now)
                changes.add(id=change_id, **values)
                change_history.add(id=change_id, history_date=now, history_type="+", history_user_id=author.pk,
                                   **{k: v for k, v in values.items() if k != "updated_at"})
                links.add(changerequest_id=change_id, service_id=service.pk)
                if state in decided or state == State.APPROVAL:
                    for ordinal, role in enumerate(SLOT_ROLES[risk], start=1):
                        granted = state in late or (state == State.APPROVAL and ordinal == 1)
                        rejected = state == State.REJECTED and ordinal == 1
                        status = "rejected" if rejected else "granted" if granted else "pending"
                        is_decided = status != "pending"
                        decider = (second_peer if role == "peer" and ordinal == 2 else approvers[role]).pk
                        slot = dict(change_id=change_id, role=role, ordinal=ordinal if role == "peer" else 1,
                                    rule=f"{risk} risk requires {role}", policy="POLICY §3", status=status,
                                    decided_by_id=decider if is_decided else None,
                                    decided_at=now if is_decided else None, reason="Bench." if is_decided else "",
                                    due_at=now + timedelta(days=2), created_at=now)
                        slots.add(id=slot_id, **slot)
                        slot_history.add(id=slot_id, history_date=now, history_type="+", history_user_id=author.pk,
                                         **slot)
                        slot_id += 1
                if state in late:
                    evidence.add(change_id=change_id, test_type="unit", result="passed", summary="412 passed",
                                 recorded_by_id=author.pk, recorded_at=now)
                subject = f"changes.changerequest:{change_id}"
                payload = {"reference": f"CHG-{change_id:06d}", "state": state}
                payload_text = json.dumps(payload)
                for action in LEDGER_ACTIONS:
                    seq += 1
                    digest = chain_hash(seq=seq, recorded_at=now_text, actor_name=author.username, action=action,
                                        subject=subject, payload=payload, prev_hash=prev)
                    ledger.add(seq=seq, recorded_at=now, actor_id=author.pk, actor_name=author.username,
                               action=action, subject=subject, payload=payload_text, prev_hash=prev, entry_hash=digest)
                    prev = digest
                change_id += 1
            with transaction.atomic(), connection.cursor() as cursor:
                for table in tables:
                    totals[table.table] += table.flush(cursor.cursor)
            done += size
            rate = done / (time.perf_counter() - started)
            print(f"  seeded {done:,} / {count:,} changes ({rate:,.0f}/s)", file=progress, end="\r")
        loaded = time.perf_counter()
    if set_aside:
        print(f"\n  indexes and constraints built back in {time.perf_counter() - loaded:.1f} s", file=progress)
    with connection.cursor() as cursor:
        for table in (changes.table, slots.table):
            reset_sequence(cursor, table)
        for table in ("changes_historicalchangerequest", "approvals_historicalapprovalslot",
                      "changes_testevidence", "changemgmt_ledgerentry", "changes_changerequest_services"):
            reset_sequence(cursor, table)
        cursor.execute("RESET synchronous_commit")
        # What autovacuum would have done before anyone reads the pages (this machine's PostgreSQL runs with
        # it off): the statistics, and the visibility map that lets counts and index-only scans skip the heap.
        # VACUUM cannot run inside a transaction (a test's): there, the statistics only.
        cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")
    seconds = time.perf_counter() - started
    print(f"  seeded {count:,} changes in {seconds:.1f} s ({count / max(seconds, 1e-9):,.0f}/s)", file=progress)
    return {"seconds": seconds, "rows": totals}


def main() -> int:
    """python bench/seeding.py --changes N [--database-url URL] [--reseed]: seed and report the time."""
    import argparse
    import os

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from benchlib import configure, recreate_database

    parser = argparse.ArgumentParser(description="Seed N changes with COPY, in chunks.")
    parser.add_argument("--database-url", default=os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/changemgmt_bench_changes"))
    parser.add_argument("--changes", type=int, default=10_000)
    parser.add_argument("--chunk", type=int, default=CHUNK)
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--verify", action="store_true", help="run `ledger verify` over the seeded chain")
    args = parser.parse_args()
    configure(args.database_url)
    recreate_database(args.database_url, drop=args.reseed)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    result = seed(args.changes, chunk=args.chunk)
    print(json.dumps(result["rows"]), f"{result['seconds']:.1f} s")
    if args.verify:
        from changemgmt.ledger import audit

        outcome = audit.verify_database()
        print("ledger verify:", "intact" if outcome.intact else outcome.problem, outcome.entries, "entries")
        return 0 if outcome.intact else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

