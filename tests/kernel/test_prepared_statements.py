"""changemgmt.prepared: on PostgreSQL the fixed SQL of every page is parsed and planned once per
connection (PREPARE, then EXECUTE with the request's values) — same rows, no query of its own in
Django's log, a fallback for SQL PostgreSQL cannot prepare, and again on a new connection."""
import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from changemgmt import prepared
from changemgmt.compiled import CompiledQuery
from changemgmt.models import User
from changes.models import ChangeRequest
from tests.support import factories as f

postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
pytestmark = pytest.mark.django_db

USERNAME_LIKE = 'SELECT "username" FROM "changemgmt_user" WHERE "username" LIKE %s || \'%%\' AND "id" > %s ORDER BY 1'


def _prepared_here() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return {name for (name,) in cursor.fetchall()}


def _rows(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def test_other_databases_run_the_sql_as_it_is():
    if connection.vendor == "postgresql":
        pytest.skip("SQLite's behaviour")
    assert prepared.statement(connection, USERNAME_LIKE) == USERNAME_LIKE


@postgresql
def test_the_statement_returns_the_same_rows_and_is_prepared_once_unlogged():
    for name in ("ada", "adam", "bob"):
        f.make_user(name)
    with CaptureQueriesContext(connection) as queries:
        first = prepared.statement(connection, USERNAME_LIKE)
        second = prepared.statement(connection, USERNAME_LIKE)
    assert first == second and first.startswith("EXECUTE cm_") and first.endswith("(%s, %s)")
    assert len(queries) == 0  # the PREPARE is not one of the request's queries
    assert first.split("(")[0].removeprefix("EXECUTE ") in _prepared_here()
    assert _rows(first, ["ad", 0]) == _rows(USERNAME_LIKE, ["ad", 0]) == [("ada",), ("adam",)]


@postgresql
def test_sql_postgresql_cannot_prepare_runs_unprepared_and_leaves_the_transaction_usable():
    untyped = "SELECT %s IS NULL AS nothing, 1 AS one"  # no context gives $1 a type
    with transaction.atomic():
        assert prepared.statement(connection, untyped) == untyped
        assert _rows(untyped, ["x"]) == [(False, 1)]
        assert User.objects.count() >= 0  # the transaction was not aborted
    assert prepared.statement(connection, untyped) == untyped  # not tried again


@postgresql
def test_a_new_connection_prepares_again():
    sql = 'SELECT COUNT(*) FROM "changemgmt_user" WHERE "id" <> %s'
    name = prepared.statement(connection, sql).split("(")[0].removeprefix("EXECUTE ")
    assert name in _prepared_here()
    fresh = connections.create_connection(DEFAULT_DB_ALIAS)  # as a worker's after CONN_MAX_AGE
    try:
        assert prepared.statement(fresh, sql) == f"EXECUTE {name}(%s)"
        with fresh.cursor() as cursor:
            cursor.execute("SELECT name FROM pg_prepared_statements")
            assert (name,) in cursor.fetchall()
            cursor.execute(f"EXECUTE {name}(%s)", [0])
            counted = cursor.fetchone()
            cursor.execute(sql, [0])
            assert counted == cursor.fetchone()
    finally:
        fresh.close()


@postgresql
def test_compiled_queries_run_prepared_with_the_same_results(requester, manager):
    by_pk = CompiledQuery(lambda pk: User.objects.filter(pk=pk).only("id", "username"))
    with CaptureQueriesContext(connection) as queries:
        found = by_pk.objects(manager.pk)
        again = by_pk.rows(requester.pk)
    assert [user.username for user in found] == [manager.username]
    assert again[0][0] == requester.pk
    assert all(query["sql"].startswith("EXECUTE cm_") for query in queries)


@postgresql
@pytest.mark.parametrize("url", ["/changes/", "/inbox/", "/api/changes/"])
def test_every_query_of_the_lists_and_the_inbox_runs_prepared(client, requester, peer, url):
    ChangeRequest.objects.create(title="Prepared", requester=requester, owner=peer)  # a row to show
    client.force_login(requester)
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    assert [query["sql"].split("(")[0][:11] for query in queries] == ["EXECUTE cm_"] * len(queries)


@postgresql
def test_a_connection_keeps_a_bounded_number_of_statements(monkeypatch):
    monkeypatch.setattr(prepared, "MOST_PER_CONNECTION", len(_prepared_here()) + 1)
    first = 'SELECT "id" FROM "changemgmt_user" WHERE "id" = %s LIMIT 1'
    second = 'SELECT "id" FROM "changemgmt_user" WHERE "id" = %s LIMIT 2'
    assert prepared.statement(connection, first).startswith("EXECUTE cm_")
    assert prepared.statement(connection, second) == second
    assert _rows(second, [0]) == []


@postgresql
def test_a_statement_the_connection_already_holds_is_used_as_it_is():
    sql = 'SELECT "username" FROM "changemgmt_user" WHERE "id" = %s'
    execute = prepared.statement(connection, sql)
    prepared._PREPARED[connection.connection].clear()  # forgotten here, still on the server
    with transaction.atomic():
        assert prepared.statement(connection, sql) == execute
        assert User.objects.count() >= 0  # the refused PREPARE left the transaction usable
    assert sql not in prepared._UNPREPARABLE


@postgresql
def test_a_first_page_runs_prepared_and_a_later_one_as_it_is(requester, manager):
    ordered = CompiledQuery(lambda _none: User.objects.order_by("id").values_list("id"))
    with CaptureQueriesContext(connection) as queries:
        first = ordered.rows(None, limits=(0, 1))
        second = ordered.rows(None, limits=(1, 2))
    assert queries[0]["sql"].startswith("EXECUTE cm_")  # its LIMIT is the same on every first page
    assert queries[1]["sql"].startswith("SELECT") and "OFFSET 1" in queries[1]["sql"]
    assert first + second == list(User.objects.order_by("id").values_list("id"))[:2]
