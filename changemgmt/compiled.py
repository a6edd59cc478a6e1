"""A query compiled once per process and run with a new value each time.

Building the SQL of a query costs the ORM more than running it (issue 13: on the change page the
conflicts query, both sides with their owners, and the change itself, fifty columns with its team
and template joined, were most of the compiling). The SQL does not depend on the request, only one
parameter does: compile it once with a marker value in that place, then execute the SQL with the
request's value and turn the rows into what the queryset itself returns, through the same compiler
(its converters, looked up once with the SQL, and for models Django's own from_db and
select_related populators).

A filter on many values (`IN (%s, %s, …)`) has SQL that depends on how many there are; `InArray`
passes them as one parameter instead (`array_of` makes it), so such a query compiles once too, and
psycopg, which re-parses every statement of more than 50 parameters, parses it once.

On PostgreSQL the SQL is also a prepared statement (changemgmt.prepared): parsed and planned once
per connection rather than once per request. The change page's query (ten JSON subqueries,
changes.page_loader) took 1.2 ms to plan and 0.4 ms to run; prepared, 0.6 ms in all instead of 1.9
(bench/README.md, session 8)."""
import json
from contextlib import contextmanager

from django.db import connections
from django.db.models import Lookup
from django.db.models.query import get_related_populators

from changemgmt import prepared

MARKER = -7_351_009  # never a primary key: compiled where the value goes, swapped for it at each run


class CompiledQuery:
    """`build(marker)` is a queryset filtered on the value; `rows(value)` returns what
    `list(build(value))` does for a values_list queryset (for a values() one, its dicts' values as
    tuples), `objects(value)` for a queryset of models (plain or with select_related, annotations set
    as attributes; not a related manager's, whose known related objects it would not set), in one
    query. A `build` that ignores the marker makes a query that takes no value (run it with None);
    `limits=(low, high)` cuts it as a slice `[low:high]` would, the LIMIT and OFFSET written into the
    SQL as Django writes them. Composite primary keys are not supported."""

    def __init__(self, build, marker=MARKER):
        self.build, self.marker = build, marker  # a marker no real value equals (a string for a text column)
        self.compiled = {}  # (database alias, vendor) -> (compiler, sql, params, the marker's places, converters)

    def _compile(self, database):
        key = (database.alias, database.vendor)
        if key not in self.compiled:
            compiler = self.build(self.marker).query.get_compiler(database.alias)
            sql, params = compiler.as_sql()
            places = [index for index, param in enumerate(params) if param == self.marker]
            columns = [column for column, _sql, _alias in compiler.select[:compiler.col_count]]
            converters = compiler.get_converters(columns)
            self.compiled[key] = (compiler, sql, list(params), places, converters)
        return self.compiled[key]

    def _statement(self, database, value, limits):
        """(compiler, SQL, parameters, converters) of a run with `value`."""
        compiler, sql, params, places, converters = self._compile(database)
        params = list(params)
        for index in places:
            params[index] = value
        if limits is not None:
            sql = f"{sql} {database.ops.limit_offset_sql(*limits)}"
        # Prepared once per connection (changemgmt.prepared); a page past the first, whose OFFSET is
        # written in its text, is not: one statement per page number would pile up on the connection.
        if limits is None or not limits[0]:
            sql = prepared.statement(database, sql)
        return compiler, sql, params, converters

    @staticmethod
    def _execute(database, cursor, sql, params, converters, make) -> None:
        if make is not None and not converters and database.vendor == "postgresql":
            cursor.cursor.row_factory = lambda _cursor: make
        cursor.execute(sql, params)

    @staticmethod
    def _fetched(database, cursor, compiler, converters, make) -> list:
        """The executed query's rows, converted as the compiler's results_iter converts them; with `make`,
        each row is `make(row)` (a query without converters on PostgreSQL: made by psycopg as it reads
        the rows, so no tuple is made first)."""
        if make is not None and not converters and database.vendor == "postgresql":
            return cursor.fetchall()
        fetched = compiler.apply_converters(cursor.fetchall(), converters) if converters else cursor.fetchall()
        return fetched if make is None else list(map(make, fetched))

    def _fetch(self, value, alias: str, limits: tuple[int, int | None] | None = None, make=None):
        """The compiler and the fetched rows (`_fetched`)."""
        database = connections[alias]
        compiler, sql, params, converters = self._statement(database, value, limits)
        with database.cursor() as cursor:
            self._execute(database, cursor, sql, params, converters, make)
            return compiler, self._fetched(database, cursor, compiler, converters, make)

    def rows(self, value, alias: str = "default", *, limits: tuple[int, int | None] | None = None,
             make=None) -> list:
        """The rows as tuples, or each as `make(row)` (a named tuple's `_make`, say)."""
        _compiler, fetched = self._fetch(value, alias, limits, make)
        return _as_rows(fetched, make)

    @contextmanager
    def sent(self, value, alias: str = "default", *, limits: tuple[int, int | None] | None = None, make=None):
        """`rows(value, limits=limits, make=make)` sent ahead: `Sent.rows()` returns them, in the block or
        after it. On PostgreSQL the query goes to the server when the block begins and runs there while
        the block goes on (psycopg's pipeline mode: no wait for the answer until `rows()` or the block's
        end), so the caller's Python work and the database's overlap: My approvals renders its frame while
        the database reads its slots, and builds its rows while it reads their siblings (bench/README.md).
        Run nothing else on the connection inside the block: its answer would wait for this one's.
        Elsewhere the query runs when the block begins."""
        database = connections[alias]
        if database.vendor != "postgresql":
            yield Sent(self.rows(value, alias, limits=limits, make=make))
            return
        compiler, sql, params, converters = self._statement(database, value, limits)  # any PREPARE first
        with database.connection.pipeline(), database.cursor() as cursor:
            self._execute(database, cursor, sql, params, converters, make)
            sent = Sent(lambda: _as_rows(self._fetched(database, cursor, compiler, converters, make), make))
            yield sent
            sent.rows()  # read before the cursor closes, for after the block

    def objects(self, value, alias: str = "default") -> list:
        compiler, fetched = self._fetch(value, alias)
        select, klass_info = compiler.select, compiler.klass_info
        fields = klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        init_list = [column[0].target.attname for column in select[start:end]]
        populators = get_related_populators(klass_info, select, alias)
        annotations = [(name, place) for name, place in compiler.annotation_col_map.items() if place is not None]
        model, found = klass_info["model"], []
        for row in fetched:
            instance = model.from_db(alias, init_list, row[start:end])
            for populator in populators:
                populator.populate(row, instance)
            for name, place in annotations:  # as Django's ModelIterable sets them
                setattr(instance, name, row[place])
            found.append(instance)
        return found


def _as_rows(fetched: list, make) -> list:
    """`rows`' answer: the rows `make` made, or else each as a tuple."""
    return fetched if make is not None else list(map(tuple, fetched))


class Sent:
    """The rows of a query `CompiledQuery.sent` sent ahead: `rows()` waits for them (once)."""

    def __init__(self, rows):
        self._rows = rows  # the rows, or a function that fetches them

    def rows(self) -> list:
        if callable(self._rows):
            self._rows = self._rows()
        return self._rows


class InArray(Lookup):
    """`filter(InArray(F("column"), array_of(values)))`: the column is one of the values, given as one
    parameter: a PostgreSQL array (`= ANY(%s)`), a JSON array elsewhere (SQLite's json_each)."""

    lookup_name = "in_array"
    prepare_rhs = False  # the parameter goes to the database as array_of made it

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY({rhs})", [*lhs_params, *rhs_params]
        return f"{lhs} IN (SELECT value FROM json_each({rhs}))", [*lhs_params, *rhs_params]


def array_of(values, alias: str = "default"):
    """InArray's parameter for `values` on the database `alias`. On PostgreSQL, integers go as the text of
    an array (`'{3,14,20}'`, which the comparison reads as an array of the column's type): psycopg adapts
    a list in Python, 0.3 ms for My approvals' 500 change ids."""
    values = list(values)
    if connections[alias].vendor != "postgresql":
        return json.dumps(values)
    if all(type(value) is int for value in values):
        return "{" + ",".join(map(str, values)) + "}"
    return values
