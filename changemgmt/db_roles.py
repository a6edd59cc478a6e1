"""The application's database role in production (PostgreSQL).

The tables belong to an owner role that only the `migrate` job uses. Web, worker and beat connect
as an application role that owns no table and is no superuser: it may SELECT, INSERT, UPDATE and
DELETE application rows, but only SELECT and INSERT the ledger and its checkpoints. A superuser or
an owner could drop the append-only triggers or switch `session_replication_role` to skip them;
the application role can do neither. `manage.py grant_app_role ROLE` applies these grants (run by
the migrate job after every migration, so new tables are covered).
"""
from django.core.exceptions import ImproperlyConfigured

from changemgmt.ledger import guard as ledger_guard


def problems(connection, role: str) -> list[str]:
    """Why `role` must not be the application's role (empty when it is fit)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolbypassrls, rolcreaterole FROM pg_roles WHERE rolname = %s", [role])
        row = cursor.fetchone()
        if row is None:
            return [f"role {role} does not exist"]
        found = [text for flag, text in zip(row, ("is a superuser", "bypasses row security",
                                                  "may create roles"), strict=True) if flag]
        cursor.execute("SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner "
                       "WHERE r.rolname = %s", [role])
        if cursor.fetchone()[0]:
            found.append("owns tables")
    return found


def grant_statements(connection, role: str, schema: str = "public") -> list[str]:
    quoted, schema = connection.ops.quote_name(role), connection.ops.quote_name(schema)
    return [
        f"GRANT USAGE ON SCHEMA {schema} TO {quoted}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {quoted}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {quoted}",
        f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA {schema} FROM {quoted}",
        *(f"REVOKE UPDATE, DELETE, TRUNCATE ON {connection.ops.quote_name(table)} FROM {quoted}"
          for table in ledger_guard.TABLES),
    ]


def grant_app_role(connection, role: str) -> list[str]:
    """Give `role` exactly the application's privileges; refuse a role that could edit past the guard."""
    if connection.vendor != "postgresql":
        raise ImproperlyConfigured("The application role is a PostgreSQL set-up.")
    if found := problems(connection, role):
        raise ImproperlyConfigured(f"{role} cannot be the application role: {', '.join(found)}.")
    statements = grant_statements(connection, role)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    return statements
