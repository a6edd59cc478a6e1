"""The authentication backend: a session's user is loaded WITH its roles and its inbox state in one query.

Django loads the session's user on every request (one query), `roles_of` then read the user's groups (a
second one) and the header's unread counter a third. `get_user` here reads all three in one statement:
the user's columns, its group names aggregated, its inbox state (newest notification id, unread count:
index-only scalar subqueries) and the policy revision. It fills the caches `roles_of` and the inbox
selectors read, and hands the revision to changemgmt.policy (whose per-request check would otherwise be
a query of its own): never a stale role (read fresh every request, as before). The inbox state is the
request's snapshot: a view that marks notifications read redirects, so the page that shows the counter
reads it again.

The statement is written once in SQL (from the models' table and column names) and run through
`Manager.raw`, which builds the user as the ORM does (field converters included): every logged-in
request pays for this query, and compiling the same three-subquery query with the ORM cost ~2 ms of CPU
per request, several times the raw SQL floor of a whole page (bench/README.md).

A signed-in request does not even run it: the session engine (changemgmt.sessions) reads the session
row joined to the same columns and offers the user it found here (`offer_session_user`); `get_user`
takes it when its id is the one the session names, so the session, the user, its roles, its inbox and
the policy revision cost one query. Any other call runs the query above.
"""
from contextvars import ContextVar

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.core.signals import request_started
from django.db import connections

from changemgmt import policy, prepared
from changemgmt.models import Notification, PolicyRevision
from changemgmt.notifications.selectors import InboxState, remember_inbox
from changemgmt.roles import remember_roles

SEPARATOR = "\x1f"  # the ASCII unit separator: no group name holds it
GROUP_NAMES = {"postgresql": "STRING_AGG"}  # the string aggregate per vendor; SQLite's (default) GROUP_CONCAT


_SQL: dict[str, str] = {}  # vendor -> user_sql(connection)


def user_sql(connection) -> str:
    """SELECT the user (%s: its pk) with role_names, newest_note, unread_notes and policy_revision."""
    quote = connection.ops.quote_name
    users = get_user_model()._meta
    return (f"SELECT {user_columns_sql(connection)} FROM {quote(users.db_table)} u "
            f"WHERE u.{quote(users.pk.column)} = %s")


def user_columns_sql(connection) -> str:
    """The select list of `user_sql` over the user table aliased `u`; its one parameter (%s) is SEPARATOR."""
    vendor, quote = connection.vendor, connection.ops.quote_name
    users, groups = get_user_model(), get_user_model().groups.field
    through = groups.remote_field.through._meta
    link_user = through.get_field(groups.m2m_field_name()).column
    link_group = through.get_field(groups.m2m_reverse_field_name()).column
    group = groups.related_model._meta
    note, revision = Notification._meta, PolicyRevision._meta
    note_user, note_id, read_at = (note.get_field(name).column for name in ("user", "id", "read_at"))
    columns = ", ".join(f"u.{quote(field.column)}" for field in users._meta.concrete_fields)
    user_id = f"u.{quote(users._meta.pk.column)}"
    return (
        f"{columns}, "
        f"(SELECT {GROUP_NAMES.get(vendor, 'GROUP_CONCAT')}(g.{quote(group.get_field('name').column)}, %s) "
        f"FROM {quote(group.db_table)} g JOIN {quote(through.db_table)} l ON l.{quote(link_group)} = "
        f"g.{quote(group.pk.column)} WHERE l.{quote(link_user)} = {user_id}) AS role_names, "
        f"(SELECT MAX(n.{quote(note_id)}) FROM {quote(note.db_table)} n WHERE n.{quote(note_user)} = {user_id}) "
        "AS newest_note, "
        # index notification_unread
        f"(SELECT COUNT(*) FROM {quote(note.db_table)} n WHERE n.{quote(note_user)} = {user_id} "
        f"AND n.{quote(read_at)} IS NULL) AS unread_notes, "
        f"(SELECT r.{quote(revision.get_field('number').column)} FROM {quote(revision.db_table)} r "
        f"WHERE r.{quote(revision.pk.column)} = 1) AS policy_revision")


# The user a session read found with the session row (changemgmt.sessions), for this request only.
_SESSION_USER: ContextVar = ContextVar("changemgmt_session_user", default=None)


def offer_session_user(user) -> None:
    """Hand `get_user` the user (read by `user_columns_sql`) that the session being loaded names, or None."""
    _SESSION_USER.set(user)


def _forget_session_user(**_kwargs) -> None:
    _SESSION_USER.set(None)


request_started.connect(_forget_session_user, dispatch_uid="changemgmt.backends.forget_session_user")


def user_pk(value):
    """`value` (a session's user id, kept as text) as the user table's primary key, or None when it is
    none: what the session's user column holds and what `get_user` looks up."""
    try:
        return get_user_model()._meta.pk.to_python(value)
    except ValidationError:
        return None


class RolesBackend(ModelBackend):
    """ModelBackend whose get_user reads the roles and the inbox state with the user. Logins through
    the password form and `force_login` name it in the session (the lock-out backend before it has no
    get_user)."""

    def get_user(self, user_id):
        manager = get_user_model()._default_manager
        pk = user_pk(user_id)
        if pk is None:
            return None
        offered = _SESSION_USER.get()
        if offered is not None and offered.pk == pk:  # read with the session a moment ago
            _SESSION_USER.set(None)
            return self._accepted(offered)
        connection = connections[manager.db]
        sql = _SQL.get(connection.vendor) or _SQL.setdefault(connection.vendor, user_sql(connection))
        found = list(manager.raw(prepared.statement(connection, sql), [SEPARATOR, pk]))
        return self._accepted(found[0]) if found else None

    def _accepted(self, user):
        """Keep the roles, inbox state and policy revision read with `user`; the user if it may sign in."""
        remember_roles(user, user.role_names.split(SEPARATOR) if user.role_names else [])
        remember_inbox(user, InboxState(user.newest_note or 0, user.unread_notes))
        policy.observe_revision(user.policy_revision or 0)
        return user if self.user_can_authenticate(user) else None
