"""A values_list query compiled once per process and run with a new value each time.

Building the SQL of a query with joins costs the ORM more than running it (issue 13: the change
page's conflicts query, both sides of the conflict with their owners, took a tenth of the page's
CPU to compile). The SQL does not depend on the request, only one parameter does: compile it once
with a marker value in that place, then execute the SQL with the request's value and convert the
rows through the same compiler, so the rows are what `values_list` itself returns."""
from django.db import connections

MARKER = -7_351_009  # never a primary key: the compiled query's placeholder for the value


class CompiledRows:
    """`build(MARKER)` is a values_list queryset; `rows(value)` returns its rows for `value` (as
    tuples), the same as `list(build(value))`, in one query."""

    def __init__(self, build):
        self.build = build
        self.compiled = {}  # (database alias, vendor) -> (compiler, sql, params with the marker's places)

    def _compile(self, alias: str):
        connection = connections[alias]
        key = (alias, connection.vendor)
        if key not in self.compiled:
            compiler = self.build(MARKER).query.get_compiler(alias)
            sql, params = compiler.as_sql()
            places = [index for index, param in enumerate(params) if param == MARKER]
            self.compiled[key] = (compiler, sql, list(params), places)
        return self.compiled[key]

    def rows(self, value, alias: str = "default") -> list[tuple]:
        compiler, sql, params, places = self._compile(alias)
        params = list(params)
        for index in places:
            params[index] = value
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, params)
            fetched = cursor.fetchall()
        return list(compiler.results_iter(results=[fetched], tuple_expected=True))
