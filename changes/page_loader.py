"""The change page's rows in ONE query: the change (team and template joined) with, each as one JSON
column of its row, its services, approval slots and their SLA steps, test evidence, roll-backs, the
people of the change, its slots and its evidence, its schedule conflicts (the other change's title and
owner), its ledger entries and its history rows.

Read one query each, the page sent nine queries; each cost more to send, wait for and turn into
objects than PostgreSQL took to run it (0.3–0.8 ms of wall time each inside the page, which took
4.1–4.3× bench/bench_pages.py's floor: one query of the same rows; bench/README.md, session 8). The
JSON columns are built with the API detail's helpers (changes.api.selectors: JSONB_AGG ordered by
PostgreSQL, JSON_GROUP_ARRAY sorted here on SQLite) and compiled once per process (CompiledQuery);
each value is converted back as the ORM converts it, so `rows` returns what `values_list(*columns)`
of each relation returns.
"""
import operator
from datetime import datetime
from functools import cache

from django.contrib.postgres.aggregates import JSONBAgg
from django.db import connection, connections
from django.db.models import CharField, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast, Concat

from approvals.models import ApprovalSlot, SlaStep
from changemgmt.compiled import CompiledQuery
from changemgmt.models import LedgerEntry, User
from changemgmt.web.timeline import HISTORY_ORDER, history_columns
from changes.api.selectors import JSONRows, JSONTuple
from changes.calendar.models import ChangeConflict
from changes.models import ChangeRequest, RollbackRecord, Service, TestEvidence

# What the page shows of a person (changes.selectors.PERSON_FIELDS), and their team: separation of
# duties compares the deciders' teams (approvals.rules.decision_refusals).
PEOPLE = ("id", "username", "first_name", "last_name", "team")


@cache
def attnames(model, names=None) -> tuple[str, ...]:
    """The columns `Model.from_db` takes for `model` (only `names` if given), in the model's field order."""
    return tuple(field.attname for field in model._meta.concrete_fields if names is None or field.name in names)


class Relation:
    """Rows related to the outer change, as one JSON column of its row (`column`), read back (`rows`)
    as the tuples `values_list(*columns)` of those rows returns, in `order` (names of `columns`)."""

    def __init__(self, rows, columns, order):
        self.rows_of, self.columns, self.order = rows, tuple(columns), tuple(order)
        self.converters = {}  # database alias -> its converter of the JSON rows

    def column(self):
        """The rows as one JSON array of arrays of `columns`, NULL for none. One group whatever the
        filter: a constant (Value) is not grouped by, so the aggregate covers every row."""
        row = JSONTuple(*(F(name) for name in self.columns))
        rows = JSONBAgg(row, order_by=self.order) if connection.vendor == "postgresql" else JSONRows(row)
        return Subquery(self.rows_of().order_by().values(one=Value(1)).annotate(rows=rows).values("rows"))

    def rows(self, found, alias: str) -> list[tuple]:
        if not found:
            return []
        database = connections[alias]
        rows = self._converter(database)(found)
        if database.vendor != "postgresql":  # JSON_GROUP_ARRAY cannot order: sorted here, stably, last key first
            for name in reversed(self.order):
                rows.sort(key=operator.itemgetter(self.columns.index(name.lstrip("-"))), reverse=name[0] == "-")
        return rows

    def _converter(self, database):
        """Turns the JSON rows into the values Django would read from the columns. SQLite puts the column
        values into the JSON as they are stored (dates as text, booleans as 0/1, JSON as text): the
        values query's own converters apply. PostgreSQL puts typed JSON: only timestamps need reading
        (written in the connection's time zone, UTC), into the time zone Django reads them in."""
        convert = self.converters.get(database.alias)
        if convert is None:
            compiler = (self.rows_of().model._default_manager.values_list(*self.columns).query
                        .get_compiler(database.alias))
            compiler.setup_query()
            select = [expression for expression, _sql, _alias in compiler.select[:compiler.col_count]]
            converters = compiler.get_converters(select)
            if database.vendor == "postgresql":
                convert = self._typed_json(database, select, converters)
            else:
                def convert(rows, compiler=compiler, converters=converters):
                    return list(map(tuple, compiler.apply_converters(rows, converters) if converters else rows))
            self.converters[database.alias] = convert
        return convert

    def _typed_json(self, database, select, converters):
        stamps = []
        for index, expression in enumerate(select):
            kind = expression.output_field.get_internal_type()
            if kind == "DateTimeField":
                stamps.append(index)
            elif index in converters and kind != "JSONField":  # JSON comes parsed: nothing else is expected
                raise NotImplementedError(f"{self.columns[index]}: {kind} is not read back from JSON")
        zone = database.timezone

        def convert(rows):
            found = []
            for row in rows:
                for index in stamps:
                    if row[index] is not None:
                        row[index] = datetime.fromisoformat(row[index]).astimezone(zone)
                found.append(tuple(row))
            return found
        return convert


def _people():
    """The owner, requester and risk overrider, and whoever decided a slot (or on whose behalf) or
    recorded evidence."""
    change = OuterRef(OuterRef("pk"))
    slots = ApprovalSlot.objects.filter(change=change)
    return User.objects.filter(
        Q(pk=OuterRef("owner_id")) | Q(pk=OuterRef("requester_id")) | Q(pk=OuterRef("risk_override_by_id"))
        | Q(pk__in=slots.values("decided_by_id")) | Q(pk__in=slots.values("on_behalf_of_id"))
        | Q(pk__in=TestEvidence.objects.filter(change=change).values("recorded_by_id")))


def _ledger():
    subject = Concat(Value(f"{ChangeRequest._meta.label_lower}:"), Cast(OuterRef("pk"), CharField()),
                     output_field=CharField())
    return LedgerEntry.objects.filter(subject=subject)


_SIDES = tuple(f"{side}{column}" for side in ("change", "other")
               for column in ("_id", "__title", "__owner__username", "__owner__first_name", "__owner__last_name"))
HISTORY_MODEL = ChangeRequest.history.model
# name -> its rows. Each orders as the query it replaces did (the models' orderings, bar ties).
RELATIONS = {
    "services": Relation(lambda: ChangeRequest.services.through.objects.filter(changerequest=OuterRef("pk")),
                         (f"service__{name}" for name in attnames(Service)), ("service__name",)),
    "slots": Relation(lambda: ApprovalSlot.objects.filter(change=OuterRef("pk")), attnames(ApprovalSlot), ("id",)),
    "sla_steps": Relation(lambda: SlaStep.objects.filter(slot__change=OuterRef("pk")), attnames(SlaStep),
                          ("slot_id", "scheduled_at", "id")),
    "evidence": Relation(lambda: TestEvidence.objects.filter(change=OuterRef("pk")), attnames(TestEvidence),
                         ("-recorded_at",)),
    "rollbacks": Relation(lambda: RollbackRecord.objects.filter(change=OuterRef("pk")), attnames(RollbackRecord),
                          ("-decided_at",)),
    "people": Relation(_people, attnames(User, PEOPLE), ("id",)),
    "conflicts": Relation(lambda: ChangeConflict.objects.filter(Q(change=OuterRef("pk")) | Q(other=OuterRef("pk"))),
                          ("overlap_start", "overlap_end", "shared", *_SIDES, "id"), ("overlap_start", "id")),
    "ledger": Relation(_ledger, attnames(LedgerEntry), ("seq",)),
    "history": Relation(lambda: HISTORY_MODEL.objects.filter(id=OuterRef("pk")),
                        (*history_columns(ChangeRequest), "history_id"), HISTORY_ORDER),
}
_NAMES = {name: f"page_{name}" for name in RELATIONS}  # annotation names: none is a field's

# Prepared on PostgreSQL, as every CompiledQuery: planning its ten subqueries took three times as
# long as running them.
_PAGE = CompiledQuery(lambda pk: ChangeRequest.objects.filter(pk=pk).select_related("team", "template").order_by()
                      .annotate(**{_NAMES[name]: relation.column() for name, relation in RELATIONS.items()}))


def load(pk: int, alias: str = "default") -> tuple[ChangeRequest, dict[str, list[tuple]]] | None:
    """The change (team and template joined) and, by RELATIONS' names, its related rows as tuples of
    their columns; None if there is no such change. One query."""
    found = _PAGE.objects(pk, alias)
    if not found:
        return None
    change = found[0]
    attributes = vars(change)
    return change, {name: relation.rows(attributes.pop(_NAMES[name]), alias) for name, relation in RELATIONS.items()}
