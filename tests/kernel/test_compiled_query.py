"""changemgmt.compiled: a query built once per process returns, for each value, what the queryset
built for that value returns (models with their select_related rows, values_list rows converted),
in one query, cut as a slice cuts it when asked."""
import pytest
from django.db import DataError, connection, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from changemgmt.compiled import CompiledQuery, InArray, array_of
from changes import services
from changes.models import ChangeRequest
from tests.support import factories as f


def build(pk):
    return ChangeRequest.objects.filter(pk=pk).select_related("team", "template").order_by()


def test_objects_are_the_querysets_models_with_their_joined_rows(frozen, requester):
    first = services.create_change(actor=requester, data=f.complete_fields())
    second = services.create_change(actor=requester, data=f.complete_fields(title="Second"))
    compiled = CompiledQuery(build)
    for change in (first, second):
        with CaptureQueriesContext(connection) as queries:
            [found] = compiled.objects(change.pk)
        [expected] = build(change.pk)
        assert len(queries) == 1
        assert {k: v for k, v in vars(found).items() if k != "_state"} == \
            {k: v for k, v in vars(expected).items() if k != "_state"}
        assert found.team == expected.team and found._state.adding is False
    assert compiled.objects(second.pk + 1000) == []


def test_rows_are_the_values_list_rows_converted(frozen, requester):
    change = services.create_change(actor=requester, data=f.complete_fields())
    compiled = CompiledQuery(lambda pk: ChangeRequest.objects.filter(pk=pk).values_list("pk", "created_at",
                                                                                        "security_triggers"))
    assert compiled.rows(change.pk) == list(ChangeRequest.objects.filter(pk=change.pk)
                                            .values_list("pk", "created_at", "security_triggers"))


def test_rows_of_a_values_query_are_its_dicts_values(frozen, requester):
    change = services.create_change(actor=requester, data=f.complete_fields())
    compiled = CompiledQuery(lambda pk: ChangeRequest.objects.filter(pk=pk).values("pk", "security_triggers"))
    assert compiled.rows(change.pk) == [tuple(row.values()) for row in compiled.build(change.pk)]


def test_a_query_without_a_value_is_cut_as_a_slice_cuts_it(frozen, requester):
    for title in ("C", "A", "B"):
        services.create_change(actor=requester, data=f.complete_fields(title=title))
    everything = ChangeRequest.objects.order_by("title").values_list("title", "created_at")
    compiled = CompiledQuery(lambda _no_value: everything)
    for low, high in ((0, 2), (1, 3), (2, 4), (3, 5)):
        with CaptureQueriesContext(connection) as queries:
            found = compiled.rows(None, limits=(low, high))
        assert found == list(everything[low:high]) and len(queries) == 1


def test_in_array_is_in_with_the_values_as_one_parameter(frozen, requester):
    changes = [services.create_change(actor=requester, data=f.complete_fields(title=t)) for t in "ABC"]
    compiled = CompiledQuery(lambda ids: ChangeRequest.objects.filter(InArray(F("id"), ids)).order_by("id")
                             .values_list("title", flat=True))
    for picked in ([changes[0].pk, changes[2].pk], [changes[1].pk], [changes[2].pk + 1000]):
        with CaptureQueriesContext(connection) as queries:
            found = compiled.rows(array_of(picked))
        assert found == [(title,) for title in ChangeRequest.objects.filter(id__in=picked).order_by("id")
                                                                     .values_list("title", flat=True)]
        assert len(queries) == 1


def test_rows_made_by_a_row_maker_are_its_rows_of_the_same_values(frozen, requester):
    from typing import NamedTuple

    class Row(NamedTuple):
        pk: int
        title: str
        created_at: object

    changes = [services.create_change(actor=requester, data=f.complete_fields(title=t)) for t in "AB"]
    compiled = CompiledQuery(lambda _no_value: ChangeRequest.objects.order_by("id").values_list("pk", "title",
                                                                                                "created_at"))
    found = compiled.rows(None, make=Row._make)
    assert [type(row) for row in found] == [Row, Row]
    assert found == compiled.rows(None) == [(c.pk, c.title, c.created_at) for c in changes]


def test_in_array_of_texts_with_an_array_literals_characters(frozen, requester):
    titles = ['Plain', 'Braces {a,b} and "quotes"', "Back\\slash, comma"]
    for title in titles:
        services.create_change(actor=requester, data=f.complete_fields(title=title))
    compiled = CompiledQuery(lambda wanted: ChangeRequest.objects.filter(InArray(F("title"), wanted)).order_by("id")
                             .values_list("title", flat=True))
    assert compiled.rows(array_of(titles[1:] + ["absent"])) == [(title,) for title in titles[1:]]


def test_a_query_sent_ahead_returns_its_rows_once_and_is_one_logged_query(frozen, requester):
    """`sent`: the rows `rows` returns, one query in Django's log, waited for when the block asks."""
    changes = [services.create_change(actor=requester, data=f.complete_fields(title=t)) for t in "ABC"]
    compiled = CompiledQuery(lambda ids: ChangeRequest.objects.filter(InArray(F("id"), ids)).order_by("id")
                             .values_list("pk", "title", "created_at"))
    ids = array_of([changes[0].pk, changes[2].pk])
    with CaptureQueriesContext(connection) as queries:
        with compiled.sent(ids) as sent:
            found = sent.rows()
            assert sent.rows() is found  # fetched once
    assert found == compiled.rows(ids) == [(c.pk, c.title, c.created_at) for c in (changes[0], changes[2])]
    assert len(queries) == 1
    everything = CompiledQuery(lambda _no_value: ChangeRequest.objects.order_by("id").values_list("title", flat=True))
    with everything.sent(None, limits=(1, 3)) as sent:
        pass  # the rows are read by the block's end, for after it
    assert sent.rows() == everything.rows(None, limits=(1, 3)) == [("B",), ("C",)]


def test_on_postgresql_a_query_sent_ahead_runs_while_the_block_goes_on(frozen, requester):
    """The query is on its way when the block begins (psycopg's pipeline mode), the connection is back to
    normal after it, and a query that fails does so when its rows are asked for, leaving the connection
    usable."""
    if connection.vendor != "postgresql":
        pytest.skip("pipeline mode is PostgreSQL's")
    from psycopg.pq import PipelineStatus

    change = services.create_change(actor=requester, data=f.complete_fields())
    compiled = CompiledQuery(lambda pk: ChangeRequest.objects.filter(pk=pk).values_list("title", flat=True))
    raw = connection.connection
    with compiled.sent(change.pk) as sent:
        assert raw.pgconn.pipeline_status != PipelineStatus.OFF
        assert sent.rows() == [(change.title,)]
    assert raw.pgconn.pipeline_status == PipelineStatus.OFF
    failing = CompiledQuery(lambda value: ChangeRequest.objects.filter(pk=value).values_list("title", flat=True))
    with pytest.raises(DataError), transaction.atomic():
        with failing.sent("not a number") as sent:
            sent.rows()
    assert compiled.rows(change.pk) == [(change.title,)]


def test_sql_new_to_a_connection_in_pipeline_mode_is_not_prepared_there(frozen, requester):
    """A PREPARE queued in a pipeline would fail later than its fallback can catch: new SQL runs as it is
    until the pipeline ends, then is prepared as usual."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's")
    from changemgmt import prepared

    sql = 'SELECT "title" FROM "changes_changerequest" WHERE "id" > %s AND "title" <> %s'
    connection.ensure_connection()
    with connection.connection.pipeline():
        assert prepared.statement(connection, sql) == sql
    assert prepared.statement(connection, sql).startswith("EXECUTE cm_")
