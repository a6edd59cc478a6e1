"""A paginator whose count stays cheap however long the table grows.

Django's Paginator runs an exact COUNT(*) of the whole result on every page, which grows with the
table. BoundedPaginator counts at most EXACT_COUNT_LIMIT + 1 rows (a LIMIT inside the count), in the
same single query reads the planner's row estimate of the table (pg_class.reltuples), and then:
- up to the limit: the exact count (`count_kind` "exact"), as before;
- past it, unfiltered: the table's estimate ("estimate"; the page says "about");
- past it, filtered: the limit + 1 ("at_least"; the page says "more than"), so pages go as far as
  the limit: narrow the filters to reach older rows.
Unfiltered, when the estimate is already past the limit, the query does not count at all (a CASE
that PostgreSQL evaluates lazily): reading limit + 1 rows only to show the estimate was ~2 ms of
every page of a long list (bench/README.md). A table never analysed (estimate -1) is counted.
The query count is the same on every branch (one query). Other databases count exactly.
"""
from functools import cached_property

from django.conf import settings
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet

from changemgmt import prepared

EXACT, ESTIMATE, AT_LEAST = "exact", "estimate", "at_least"


def bounded_count(queryset, limit: int) -> tuple[int, str]:
    """(count, kind) of `queryset`, reading at most limit + 1 rows; see the module's docstring."""
    if not isinstance(queryset, QuerySet) or connections[queryset.db].vendor != "postgresql":
        return (queryset.count() if isinstance(queryset, QuerySet) else len(queryset)), EXACT
    inner, params = queryset.order_by().values("pk")[:limit + 1].query.sql_with_params()
    unfiltered = not queryset.query.where
    sql = (f"SELECT CASE WHEN %s AND estimate > %s THEN NULL ELSE (SELECT COUNT(*) FROM ({inner}) AS bounded) END, "
           "estimate FROM (SELECT reltuples::bigint AS estimate FROM pg_class WHERE oid = %s::regclass) AS planned")
    database = connections[queryset.db]
    if unfiltered:  # the same SQL on every request: prepared once per connection (changemgmt.prepared)
        sql = prepared.statement(database, sql)
    with database.cursor() as cursor:
        cursor.execute(sql, (unfiltered, limit, *params, queryset.model._meta.db_table))
        counted, estimate = cursor.fetchone()
    if counted is not None and counted <= limit:
        return counted, EXACT
    if unfiltered:
        return max(int(estimate or 0), limit + 1), ESTIMATE
    return limit + 1, AT_LEAST


class BoundedPaginator(Paginator):
    """Paginator with `count` from bounded_count and `count_kind` telling how exact it is."""

    def __init__(self, *args, count_limit: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.count_limit = settings.EXACT_COUNT_LIMIT if count_limit is None else count_limit

    @cached_property
    def _bounded(self) -> tuple[int, str]:
        return bounded_count(self.object_list, self.count_limit)

    @cached_property
    def count(self) -> int:
        return self._bounded[0]

    @property
    def count_kind(self) -> str:
        return self._bounded[1]
