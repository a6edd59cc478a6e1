"""The authentication backend: a session's user is loaded WITH its role names in one query.

Django loads the session's user on every request (one query) and `roles_of` then reads the user's
groups (a second one). `get_user` here aggregates the group names into the user query, and fills the
cache `roles_of` reads, so each request reads the session and the user with its roles: two queries,
never a stale role (read fresh every request, as before).
"""
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Aggregate, CharField

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


class RolesBackend(ModelBackend):
    """ModelBackend whose get_user reads the roles with the user. Logins through the password form
    and `force_login` name it in the session (the lock-out backend before it has no get_user)."""

    def get_user(self, user_id):
        users = get_user_model()._default_manager.annotate(role_names=GroupNames("groups__name"))
        try:
            user = users.get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        remember_roles(user, user.role_names.split(SEPARATOR) if user.role_names else [])
        return user if self.user_can_authenticate(user) else None

