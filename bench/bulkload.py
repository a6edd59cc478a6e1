"""Set a table's secondary indexes, unique and foreign-key constraints aside for a bulk load, then build
them again — what makes seeding a million changes fast: PostgreSQL builds an index from sorted rows in one
pass, while keeping ~60 indexes up to date row by row (and firing one foreign-key check per row) is what
took the seed's time (the Python side used a third of a core).

Every definition is read from the catalog (`pg_get_indexdef`, `pg_get_constraintdef`) before it is
dropped and replayed verbatim under its own name — or, where the caller has it, the very statement
`migrate` ran (for a model's Meta index: PostgreSQL prints `state IN (...)` back in a form that parses
to a different text) — and the catalog is read again after: the schema must be the one `migrate` made,
so `migrate` and the benchmarks' query plans see no difference. Primary keys and CHECK constraints
stay: a primary key on an increasing id costs little, CHECKs are evaluated per row without an index,
and foreign keys from other tables point at the primary keys. Benchmark infrastructure only (see
seeding.py).
"""
from contextlib import contextmanager

DEFINITIONS = """
SELECT 'constraint', c.conname, c.conrelid::regclass::text, pg_get_constraintdef(c.oid),
       CASE c.contype WHEN 'u' THEN 1 ELSE 2 END
  FROM pg_constraint c
 WHERE c.conrelid = ANY(%(tables)s::regclass[]) AND c.contype IN ('u', 'f')
UNION ALL
SELECT 'index', i.relname, x.indrelid::regclass::text, pg_get_indexdef(x.indexrelid), 0
  FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
 WHERE x.indrelid = ANY(%(tables)s::regclass[])
   AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                    WHERE c.conindid = x.indexrelid AND c.conrelid = x.indrelid AND c.contype IN ('p', 'u', 'x'))
 ORDER BY 5, 3, 2
"""


def definitions(cursor, tables) -> list[tuple[str, str, str, str]]:
    """(kind, name, table, definition) of the tables' secondary indexes, then unique, then foreign-key
    constraints: the order they are built back in (a foreign key last, once the rows it checks are in)."""
    cursor.execute(DEFINITIONS, {"tables": list(tables)})
    return [row[:4] for row in cursor.fetchall()]


def model_statements(models, schema_editor) -> dict[str, str]:
    """name -> the CREATE statement `migrate` ran for each Meta index and constraint of `models`."""
    return {item.name: str(item.create_sql(model, schema_editor))
            for model in models for item in (*model._meta.indexes, *model._meta.constraints)}


def drop(cursor, kind: str, name: str, table: str) -> None:
    if kind == "index":
        cursor.execute(f'DROP INDEX "{name}"')
    else:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')


def build(cursor, kind: str, name: str, table: str, definition: str, statement: str | None) -> None:
    if statement:
        cursor.execute(statement)
    elif kind == "index":
        cursor.execute(definition)
    else:
        cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


@contextmanager
def indexes_set_aside(cursor, tables, *, statements: dict[str, str] | None = None,
                      maintenance_work_mem: str = "256MB"):
    """Drop the tables' secondary indexes and unique/foreign-key constraints (foreign keys first: nothing
    may depend on what goes), run the body, then build them all back — by `statements[name]` where given
    — also when the body fails, so an interrupted seed leaves the schema whole. Raises if the catalog
    then differs from before. Yields the definitions it set aside."""
    statements = statements or {}
    saved = definitions(cursor, tables)
    for kind, name, table, _definition in reversed(saved):
        drop(cursor, kind, name, table)
    try:
        yield saved
    finally:
        cursor.execute(f"SET maintenance_work_mem = '{maintenance_work_mem}'")
        for kind, name, table, definition in saved:
            build(cursor, kind, name, table, definition, statements.get(name))
        cursor.execute("RESET maintenance_work_mem")
        changed = set(definitions(cursor, tables)) ^ set(saved)
        if changed:
            raise RuntimeError(f"indexes built back differ from before: {sorted(changed)}")
