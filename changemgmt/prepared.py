"""SQL that PostgreSQL parses and plans once per connection instead of on every request.

The queries every page runs with one new value each time (changemgmt.compiled, the session with its
user) have SQL fixed per process; PostgreSQL still parsed, analysed and planned each one again, which
was about half of a typical query's time: the session with its user took 0.45 ms, 0.26 of it
planning, and 0.22 ms as a prepared statement (bench/README.md). `statement` PREPAREs such SQL once
per database connection, under a name derived from its text, and returns the `EXECUTE` to run in its
place with the same parameters, which psycopg still binds on the client as it binds every query.

psycopg's own prepared statements (server-side binding) gained nothing here: its extended-protocol
round trip cost what planning saved. The PREPARE goes to the connection directly, so it is not one
of the queries Django logs or a test counts; it is not transactional, so a rolled-back transaction
keeps it, and a failed one (a parameter whose type PostgreSQL cannot infer) is undone by a savepoint
and that SQL is run unprepared from then on. A new connection (CONN_MAX_AGE, a restart) prepares
again. Behind a pooler that reuses server connections per transaction (PgBouncer's transaction mode)
prepared statements do not follow the client: do not pool that way. Other databases run the SQL as
it is.
"""
import hashlib
import logging
import re
import weakref

log = logging.getLogger(__name__)

_PLACEHOLDER = re.compile(r"%s|%%")
_PREPARED: "weakref.WeakKeyDictionary[object, set[str]]" = weakref.WeakKeyDictionary()  # connection -> names
_UNPREPARABLE: set[str] = set()
# A bound on the statements one connection keeps (a plan each, in the server's memory): SQL that
# varies with its input (a page size written as a LIMIT) could otherwise pile them up. Past it, SQL
# new to the connection runs unprepared.
MOST_PER_CONNECTION = 200


def _numbered(sql: str) -> tuple[str, int]:
    """`sql` with its `%s` placeholders numbered `$1, $2 …` and `%%` unescaped, and how many there are."""
    count = 0

    def replace(match):
        nonlocal count
        if match.group() == "%%":
            return "%"
        count += 1
        return f"${count}"

    return _PLACEHOLDER.sub(replace, sql), count


def _prepare(raw, name: str, text: str) -> bool | None:
    """PREPARE on the psycopg connection `raw`, inside a savepoint when a transaction is open: True
    when the connection has the statement, False when PostgreSQL refuses the SQL (a parameter whose
    type it cannot infer: never try again), None when the connection failed (try on the next one)."""
    from psycopg import Error, ProgrammingError
    from psycopg.errors import DuplicatePreparedStatement
    from psycopg.pq import TransactionStatus

    # Inside Django's atomic block psycopg is out of autocommit and BEGINs before the PREPARE.
    in_transaction = not raw.autocommit or raw.info.transaction_status != TransactionStatus.IDLE
    try:
        if in_transaction:
            raw.execute("SAVEPOINT changemgmt_prepare")
        raw.execute(f"PREPARE {name} AS {text}")
    except Error as error:  # psycopg's own: the PREPARE went to the connection, not through Django's cursor
        if in_transaction and not raw.closed:
            raw.execute("ROLLBACK TO SAVEPOINT changemgmt_prepare")
        if isinstance(error, DuplicatePreparedStatement):
            return True
        log.warning("PostgreSQL could not prepare %s; running it unprepared", name, exc_info=True)
        return False if isinstance(error, ProgrammingError) else None
    if in_transaction:
        raw.execute("RELEASE SAVEPOINT changemgmt_prepare")
    return True


def statement(database, sql: str) -> str:
    """The SQL to execute for `sql` (with `%s` placeholders) on `database` (a Django connection), with
    the same parameters: `EXECUTE name(%s, …)` of a statement prepared on this connection, or `sql`
    itself on other databases and for SQL PostgreSQL could not prepare."""
    if database.vendor != "postgresql" or sql in _UNPREPARABLE:
        return sql
    text, count = _numbered(sql)
    name = "cm_" + hashlib.blake2b(text.encode(), digest_size=10).hexdigest()
    database.ensure_connection()
    raw = database.connection
    names = _PREPARED.setdefault(raw, set())
    if name not in names:
        # In pipeline mode (changemgmt.compiled's `sent`) a refused PREPARE would surface only later and
        # abort the queries queued behind it: new SQL runs as it is until the pipeline ends.
        if len(names) >= MOST_PER_CONNECTION or raw.pgconn.pipeline_status:
            return sql
        done = _prepare(raw, name, text)
        if not done:
            if done is False:
                _UNPREPARABLE.add(sql)
            return sql
        names.add(name)
    return f"EXECUTE {name}({', '.join(['%s'] * count)})" if count else f"EXECUTE {name}"
