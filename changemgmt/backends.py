"""The authentication backend: a session's user is loaded WITH its roles and its inbox state in one query.

Django loads the session's user on every request (one query), `roles_of` then read the user's groups
(a second one) and the header's unread counter a third. `get_user` here aggregates the group names
into the user query and reads the inbox state (newest notification id, unread count: two index-only
scalar subqueries) with it, and fills the caches `roles_of` and the inbox selectors read, so each
request reads the session and the user with its roles and inbox: two queries, never a stale role
(read fresh every request, as before). The inbox state is the request's snapshot: a view that marks
notifications read redirects, so the page that shows the counter reads it again.
"""
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Aggregate, CharField, Count, IntegerField, Max, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from changemgmt.models import Notification
from changemgmt.notifications.selectors import InboxState, remember_inbox
from changemgmt.roles import remember_roles

SEPARATOR = "\x1f"  # the ASCII unit separator: no group name holds it


class GroupNames(Aggregate):
    """The names of the groups joined in, separated by SEPARATOR (NULL when there are none)."""

    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, function="STRING_AGG",
                           template=f"%(function)s(%(expressions)s, '{SEPARATOR}')", **extra)

    def as_sql(self, compiler, connection, function=None, template=None, **extra):
        if function is None:  # SQLite (and other databases): GROUP_CONCAT
            function, template = "GROUP_CONCAT", f"%(function)s(%(expressions)s, '{SEPARATOR}')"
        return super().as_sql(compiler, connection, function=function, template=template, **extra)


def _per_user(aggregate, **filters):
    """A scalar subquery: `aggregate` over the outer user's notifications (0 when there are none)."""
    rows = Notification.objects.filter(user=OuterRef("pk"), **filters).order_by().values("user")
    return Coalesce(Subquery(rows.annotate(value=aggregate).values("value")), Value(0), output_field=IntegerField())


class RolesBackend(ModelBackend):
    """ModelBackend whose get_user reads the roles and the inbox state with the user. Logins through
    the password form and `force_login` name it in the session (the lock-out backend before it has no
    get_user)."""

    def get_user(self, user_id):
        users = get_user_model()._default_manager.annotate(
            role_names=GroupNames("groups__name"),
            newest_note=_per_user(Max("id")),
            unread_notes=_per_user(Count("id"), read_at__isnull=True))  # index notification_unread
        try:
            user = users.get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        remember_roles(user, user.role_names.split(SEPARATOR) if user.role_names else [])
        remember_inbox(user, InboxState(user.newest_note, user.unread_notes))
        return user if self.user_can_authenticate(user) else None
