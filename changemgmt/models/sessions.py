"""Signed-in sessions, kept in the database as Django's db backend keeps them, plus the user's id.

The column lets one query read the session together with its user, the user's roles, inbox state
and the policy revision (changemgmt.sessions): every signed-in request used to pay two queries for
those, the session's and then the user's. The id is the one the session data names
(`_auth_user_id`), written whenever the session is saved; the data stays the source of truth
(Django's `auth.get_user` reads it and verifies the session hash), so a row whose column disagreed
would only cost the second query again. Deleting a user ends its sessions.
"""
from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models


class UserSession(AbstractBaseSession):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+")

    class Meta(AbstractBaseSession.Meta):
        db_table = "changemgmt_session"
