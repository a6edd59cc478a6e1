"""Reads for the API's change list and detail: plain rows, no model objects.

A page of the API list read as model instances built 150 of them (a change, its owner, its
requester per row) only to copy their attributes into dicts; the list reads tuples instead, and the
detail reads the change with its relations as JSON aggregates in one query
(changes.api.representation turns both into the API's JSON). The web pages keep changes.selectors,
whose objects their templates read.
"""
from django.contrib.postgres.aggregates import JSONBAgg
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Aggregate, F, Func, JSONField, OuterRef, QuerySet, Subquery

from approvals.models import ApprovalSlot
from changemgmt.compiled import CompiledQuery
from changes.models import ChangeRequest, RollbackRecord, TestEvidence

PERSON_COLUMNS = ("id", "username", "first_name", "last_name")
# The order changes.api.representation.list_row unpacks.
ROW_COLUMNS = ("id", "title", "state", "change_type", "category", "risk_level", "planned_start", "planned_end",
               "created_at", "updated_at", "external_source", "external_key",
               *(f"{who}__{name}" for who in ("owner", "requester") for name in PERSON_COLUMNS))


def change_rows():
    """The API list's changes, newest first, to filter and count: no join, so the paginator's count
    reads the table alone; `page_rows` then reads the columns of the page it cut."""
    return ChangeRequest.objects.all()


def page_rows(page) -> list[tuple]:
    """A page cut from change_rows() (a sliced queryset) as tuples of ROW_COLUMNS, owner and
    requester joined, then the change's services as a list of SERVICE_COLUMNS tuples by name: one query."""
    return page_values(page, ROW_COLUMNS)


def page_values(page, columns: tuple[str, ...]) -> list[tuple]:
    """`page.values_list(*columns, services_column())` with the services as `services_of` reads
    them, for a page (a sliced queryset) of changes. An unfiltered page (the list as it opens, in any
    of its orders) runs SQL compiled once per process and order (a CompiledQuery that takes no value),
    cut by the page's LIMIT and OFFSET: building and compiling the joined query with its JSON
    subquery was ~1.5 ms of every list request, a tenth of it (bench/README.md). Anything else
    compiles as usual."""
    ordered = connections[page.db].vendor == "postgresql"
    key = _plain_key(page.query, page.db, columns)
    if key is None:
        rows = page.values_list(*columns, services_column())
    else:
        compiled = _PAGES.get(key)
        if compiled is None:
            whole = page.query.chain()
            whole.clear_limits()
            values = QuerySet(page.model, whole, using=page.db).values_list(*columns, services_column())
            compiled = _PAGES[key] = CompiledQuery(lambda _no_value: values)
        rows = compiled.rows(None, page.db, limits=(page.query.low_mark, page.query.high_mark))
    return [(*row[:-1], _sorted("services", row[-1], ordered)) for row in rows]


_PAGES: dict[tuple, CompiledQuery] = {}


def _plain_key(query, using: str, columns) -> tuple | None:
    """What tells apart the prepared page queries: the database, the columns and the order, for a query
    with nothing else (no filter, join, annotation, distinct or extra); None for any other query."""
    if (query.where or query.annotations or query.extra or query.extra_order_by or query.distinct
            or query.combinator or query.select_related or query.select_for_update or len(query.alias_map) > 1
            or not all(isinstance(name, str) for name in query.order_by)):
        return None
    return (using, query.model, columns, tuple(query.order_by), query.default_ordering, query.standard_ordering)


_SERVICES_COLUMN = {}


def services_column():
    """A column for a change row query: the change's services as one JSON array of SERVICE_COLUMNS
    arrays by name (NULL for none), read by `page_values`. The web list reads its page's
    services this way too: one query for the rows and their services. Built once per database
    vendor: a query resolves (copies) the expressions it is given, so one instance serves all."""
    column = _SERVICES_COLUMN.get(connection.vendor)
    if column is None:
        column = _SERVICES_COLUMN[connection.vendor] = _rows_of(
            ChangeRequest.services.through, "changerequest", SERVICE_COLUMNS, ORDER["services"])
    return column


class JSONTuple(Func):
    """A JSON array of its columns. Not Django's JSONArray, which asks SQLite whether it supports JSON
    the first time it is compiled: one more query on a connection's first list, so counts would vary."""

    function = "JSON_ARRAY"
    output_field = JSONField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="JSONB_BUILD_ARRAY", **extra_context)


class JSONRows(Aggregate):
    """The JSON array of its expression over the rows: SQLite's JSON_GROUP_ARRAY, which cannot
    order (the caller sorts); PostgreSQL uses JSONBAgg, ordered by the database as before."""

    function = "JSON_GROUP_ARRAY"
    output_field = JSONField()


def _rows_of(model, link: str, columns: tuple[str, ...], order_by: tuple[str, ...]):
    """A subquery: the rows of `model` whose `link` is the outer change, as one JSON array of arrays
    of `columns` (in that order); NULL when there is none."""
    row = JSONTuple(*(F(column) for column in columns))
    rows = JSONBAgg(row, order_by=order_by) if connection.vendor == "postgresql" else JSONRows(row)
    return Subquery(model.objects.filter(**{link: OuterRef("pk")}).order_by().values(link)
                    .annotate(rows=rows).values("rows"))


SERVICE_COLUMNS = ("service_id", "service__name", "service__criticality")
SLOT_COLUMNS = ("id", "change_id", "role", "ordinal", "rule", "policy", "status", "decided_by__username",
                "decided_at", "reason", "due_at", "channel")
EVIDENCE_COLUMNS = ("id", "test_type", "result", "summary", "evidence_url", "recorded_by__username", "recorded_at")
ROLLBACK_COLUMNS = ("id", "severity", "trigger", "kind", "decided_at", "reason", "steps_executed", "completed_at",
                    "impact", "root_cause", "preventive_measures", "automatic")
# The order each relation is listed in: as changes.selectors.change_detail_queryset (and the models) order it.
ORDER = {"services": ("service__name",), "slots": ("id",), "evidence": ("-recorded_at",),
         "rollbacks": ("-decided_at",)}
# JSON_GROUP_ARRAY's rows in ORDER's order: (column, descending). Names sort as SQLite compares them
# (by code point), and its date-time text ("2026-03-03 09:00:00[.ffffff]", UTC) in time order.
UNORDERED_SORT = {"services": (1, False), "slots": (0, False), "evidence": (6, True), "rollbacks": (4, True)}
# What the API detail shows of the change itself (changes.api.representation.detail reads them by name).
DETAIL_COLUMNS = (
    "id", "title", "state", "change_type", "category", "risk_level", "planned_start", "planned_end", "created_at",
    "updated_at", "external_source", "external_key", "description", "business_justification", "impact_systems",
    "impact_users", "implementation_plan", "test_plan", "rollback_plan", "ticket_url", "pr_url",
    "security_triggers", "emergency_criterion", "freeze_justification", "team__name", "template_id",
    "risk_systems", "risk_users", "risk_data", "risk_reversibility", "risk_security", "risk_computed",
    "risk_override", "risk_override_reason", "risk_override_by__username", "predeploy_checklist",
    "deployment_method", "verification_checks", "outcome", "review_answers", "lessons_learned", "closing_reason",
    "submitted_at", "approved_at", "deployed_at", "verified_at", "closed_at",
    *(f"{who}__{name}" for who in ("owner", "requester") for name in PERSON_COLUMNS),
)


def _detail_queryset():
    """Every change as a dict of DETAIL_COLUMNS with its services, approval slots, test evidence and
    rollbacks as JSON arrays of arrays (of the *_COLUMNS above), annotated in ORDER's order."""
    return ChangeRequest.objects.values(*DETAIL_COLUMNS).annotate(
        services_=_rows_of(ChangeRequest.services.through, "changerequest", SERVICE_COLUMNS, ORDER["services"]),
        slots_=_rows_of(ApprovalSlot, "change", SLOT_COLUMNS, ORDER["slots"]),
        evidence_=_rows_of(TestEvidence, "change", EVIDENCE_COLUMNS, ORDER["evidence"]),
        rollbacks_=_rows_of(RollbackRecord, "change", ROLLBACK_COLUMNS, ORDER["rollbacks"]),
    )


# Built and compiled once per process: Django spent ~5 ms of CPU building and compiling it (four
# JSON subqueries) on every request, PostgreSQL ~0.3 ms running it.
_DETAIL = CompiledQuery(lambda pk: _detail_queryset().filter(pk=pk))


def change_detail_row(pk) -> dict | None:
    """One change (see _detail_queryset) in ONE query, its relations as lists of tuples in the order
    the web page lists them, or None if there is no such change. select_related + prefetch_related
    took five queries, each costing more to build than to run."""
    found = _DETAIL.rows(int(pk))
    if not found:
        return None
    values, relations = found[0][:len(DETAIL_COLUMNS)], found[0][len(DETAIL_COLUMNS):]
    row = dict(zip(DETAIL_COLUMNS, values, strict=True))
    ordered = connections[DEFAULT_DB_ALIAS].vendor == "postgresql"
    for name, rows in zip(ORDER, relations, strict=True):
        row[name] = _sorted(name, rows, ordered)
    return row


def _sorted(name: str, rows, ordered: bool) -> list[tuple]:
    """The rows of one relation from _rows_of as tuples, in ORDER[name]'s order: as they come when the
    database `ordered` them, else sorted here. The caller reads the vendor once (a lookup through the
    connection proxy per row was a tenth of building the list's rows)."""
    rows = [tuple(values) for values in rows or ()]
    if not ordered:
        column, descending = UNORDERED_SORT[name]
        rows.sort(key=lambda values: values[column], reverse=descending)
    return rows
