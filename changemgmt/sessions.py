"""Sessions kept in the database as Django's db backend keeps them, each row naming its user
(changemgmt.models.UserSession), read together with that user in one query.

Every signed-in request reads its session, then its user with the user's roles, inbox state and the
policy revision (changemgmt.backends). Both reads were a query each; here the session row is joined to
the user's columns, and the user found is offered to the authentication backend, which takes it when
the session names that user: one round trip and one statement fewer on every signed-in page
(bench/README.md). The SQL is written once per database vendor, as the backend's is: building an ORM
query per request cost four times as much as running it. The expiry is compared here instead of in
SQL, by Django's rule: a session that expires now or earlier is no session.
"""
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone

from changemgmt import backends, prepared
from changemgmt.models import UserSession

_SQL: dict[str, str] = {}  # vendor -> the session with its user


def _session_sql(connection) -> str:
    quote, users = connection.ops.quote_name, get_user_model()._meta
    user_column = UserSession._meta.get_field("user").column
    return (f"SELECT s.{quote('session_data')} AS session_data, s.{quote('expire_date')} AS session_expires, "
            f"{backends.user_columns_sql(connection)} "
            f"FROM {quote(UserSession._meta.db_table)} s LEFT JOIN {quote(users.db_table)} u "
            f"ON u.{quote(users.pk.column)} = s.{quote(user_column)} WHERE s.{quote('session_key')} = %s")


def _expiry(value, connection):
    """The expiry column as the ORM would return it: a raw query converts only the model's own fields."""
    field = UserSession._meta.get_field("expire_date")
    column = field.get_col(UserSession._meta.db_table)
    for converter in (*connection.ops.get_db_converters(column), *field.get_db_converters(connection)):
        value = converter(value, column, connection)
    return value


def session_user_id(data: dict):
    """The user id the session data names, as the user column keeps it (None: nobody, or not an id)."""
    return backends.user_pk(data.get(SESSION_KEY))


class SessionStore(db.SessionStore):
    @classmethod
    def get_model_class(cls):
        return UserSession

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        session.user_id = session_user_id(data)
        return session

    def _get_session_from_db(self):
        backends.offer_session_user(None)
        alias = router.db_for_read(UserSession)
        connection = connections[alias]
        sql = _SQL.get(connection.vendor) or _SQL.setdefault(connection.vendor, _session_sql(connection))
        found = list(get_user_model()._default_manager.db_manager(alias)
                     .raw(prepared.statement(connection, sql), [backends.SEPARATOR, self.session_key]))
        if found and _expiry(found[0].session_expires, connection) > timezone.now():
            row = found[0]
            if row.pk is not None:
                backends.offer_session_user(row)
            return UserSession(session_key=self.session_key, session_data=row.session_data)
        self._session_key = None  # as Django's backend does: an unknown or expired key is dropped
        return None
