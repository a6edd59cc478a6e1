"""PostgreSQL timestamps are parsed by psycopg's C loader (changemgmt.pg_timestamps) and come out exactly as
Django's own loader gives them: the same instant, in the connection's time zone object."""
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.backends.postgresql.psycopg_any import BaseTzLoader

from changemgmt import pg_timestamps

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(connection.vendor != "postgresql", reason="psycopg's loaders are PostgreSQL's")]
TEXTS = ["2026-12-07 00:44:41.349961+00", "2026-03-29 01:00:00+00", "1999-12-31 23:59:59.999999+00",
         "2026-10-25 00:59:59.5+00", "0001-01-01 00:00:00+00"]


def read(sql):
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()


def test_every_connection_reads_timestamptz_with_the_c_parsing_loader():
    connection.ensure_connection()
    loader = connection.connection.adapters.get_loader(pg_timestamps.TIMESTAMPTZ, pg_timestamps.Format.TEXT)
    assert issubclass(loader, pg_timestamps.TimestamptzLoader) and loader.timezone is connection.timezone
    assert pg_timestamps.PARSER.__module__.startswith("psycopg_binary")  # the C one, with psycopg-binary


def test_values_are_those_djangos_loader_gives():
    values = read("SELECT " + ", ".join(f"'{text}'::timestamptz" for text in TEXTS))
    django_loader = type("DjangoLoader", (BaseTzLoader,), {"timezone": connection.timezone})
    expected = tuple(django_loader(pg_timestamps.TIMESTAMPTZ, connection.connection).load(text.encode())
                     for text in TEXTS)
    assert values == expected
    assert [value.tzinfo for value in values] == [connection.timezone] * len(TEXTS)
    assert values[0] == datetime(2026, 12, 7, 0, 44, 41, 349961, tzinfo=UTC)


def test_a_model_field_round_trips(requester):
    from changemgmt.models import User

    stamp = datetime(2026, 11, 30, 23, 59, 58, 123456, tzinfo=UTC)
    User.objects.filter(pk=requester.pk).update(last_login=stamp)
    assert User.objects.get(pk=requester.pk).last_login == stamp
