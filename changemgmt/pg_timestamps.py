"""PostgreSQL timestamps parsed by psycopg's own (C) loader, in the time zone Django reads them in.

Django's psycopg 3 backend reads `timestamptz` with a loader that subclasses psycopg's pure-Python one,
to set the connection's time zone on each value, so even with psycopg-binary installed every timestamp
is parsed in Python: ~3.2 µs a value against ~0.7 µs for psycopg's C loader, which cannot be
subclassed (Django ticket #36960, psycopg issue #1273). My approvals reads ~1,500 timestamps a page, a
change list 200. This loader does what Django's does — the parsed value with its tzinfo replaced by
the connection's time zone — with psycopg's default loader doing the parsing. It is registered on each
new PostgreSQL connection (`use_c_timestamps`, on `connection_created`); Django's cursors keep it, as
its `timezone` is the connection's.
"""
from functools import cache

import psycopg
from psycopg.adapt import Loader
from psycopg.pq import Format

TIMESTAMPTZ = psycopg.postgres.types["timestamptz"].oid
PARSER = psycopg.adapters.get_loader(TIMESTAMPTZ, Format.TEXT)  # psycopg's default: C with psycopg-binary


class TimestamptzLoader(Loader):
    timezone = None  # set per connection time zone (`loader_for`); Django's create_cursor compares it

    def __init__(self, oid, context=None):
        super().__init__(oid, context)
        self._parse = PARSER(oid, context).load

    def load(self, data):
        return self._parse(data).replace(tzinfo=self.timezone)


@cache
def loader_for(timezone) -> type[TimestamptzLoader]:
    return type("TimestamptzLoader", (TimestamptzLoader,), {"timezone": timezone, "__module__": __name__})


def use_c_timestamps(sender, connection, **_kwargs) -> None:
    """Receiver of `connection_created`: a PostgreSQL connection reads timestamptz with this loader."""
    if connection.vendor == "postgresql":
        connection.connection.adapters.register_loader(TIMESTAMPTZ, loader_for(connection.timezone))
