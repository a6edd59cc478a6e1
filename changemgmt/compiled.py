"""A query compiled once per process and run with a new value each time.

Building the SQL of a query costs the ORM more than running it (issue 13: on the change page the
conflicts query, both sides with their owners, and the change itself, fifty columns with its team
and template joined, were most of the compiling). The SQL does not depend on the request, only one
parameter does: compile it once with a marker value in that place, then execute the SQL with the
request's value and turn the rows into what the queryset itself returns, through the same compiler
(its converters, and for models Django's own from_db and select_related populators)."""
from django.db import connections
from django.db.models.query import get_related_populators

MARKER = -7_351_009  # never a primary key: compiled where the value goes, swapped for it at each run


class CompiledQuery:
    """`build(marker)` is a queryset filtered on the value; `rows(value)` returns what
    `list(build(value))` does for a values_list queryset, `objects(value)` for a queryset of models
    (plain or with select_related; not a related manager's, whose known related objects it would
    not set), in one query."""

    def __init__(self, build, marker=MARKER):
        self.build, self.marker = build, marker  # a marker no real value equals (a string for a text column)
        self.compiled = {}  # (database alias, vendor) -> (compiler, sql, params, the marker's places)

    def _compile(self, alias: str):
        key = (alias, connections[alias].vendor)
        if key not in self.compiled:
            compiler = self.build(self.marker).query.get_compiler(alias)
            sql, params = compiler.as_sql()
            places = [index for index, param in enumerate(params) if param == self.marker]
            self.compiled[key] = (compiler, sql, list(params), places)
        return self.compiled[key]

    def _fetch(self, value, alias: str):
        compiler, sql, params, places = self._compile(alias)
        params = list(params)
        for index in places:
            params[index] = value
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, params)
            return compiler, cursor.fetchall()

    def rows(self, value, alias: str = "default") -> list[tuple]:
        compiler, fetched = self._fetch(value, alias)
        return list(compiler.results_iter(results=[fetched], tuple_expected=True))

    def objects(self, value, alias: str = "default") -> list:
        compiler, fetched = self._fetch(value, alias)
        select, klass_info = compiler.select, compiler.klass_info
        fields = klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        init_list = [column[0].target.attname for column in select[start:end]]
        populators = get_related_populators(klass_info, select, alias)
        model, found = klass_info["model"], []
        for row in compiler.results_iter(results=[fetched]):
            instance = model.from_db(alias, init_list, row[start:end])
            for populator in populators:
                populator.populate(row, instance)
            found.append(instance)
        return found
