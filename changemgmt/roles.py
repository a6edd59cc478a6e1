"""Roles are Django groups, created by migration; these are their names.

`roles_of(user)` is the one way code asks which roles a user holds; the result is cached on the user
object so a page that checks many predicates costs one query.
"""
from django.db import models


class Role(models.TextChoices):
    REQUESTER = "requester", "Requester"
    PEER_REVIEWER = "peer_reviewer", "Peer reviewer"
    MANAGER = "manager", "Manager"
    SECURITY = "security", "Security"
    DBA = "dba", "DBA"
    OPERATIONS = "operations", "Operations"
    CAB_MEMBER = "cab_member", "CAB member"
    CAB_CHAIR = "cab_chair", "CAB chair"
    CTO = "cto", "CTO"
    CISO = "ciso", "CISO"
    AUDITOR = "auditor", "Auditor"
    ADMINISTRATOR = "administrator", "Administrator"


def roles_of(user) -> frozenset[str]:
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_role_cache", None)
    if cached is None:
        cached = remember_roles(user, user.groups.values_list("name", flat=True))
    return cached


def remember_roles(user, group_names) -> frozenset[str]:
    """Cache `user`'s roles from the names of its groups (changemgmt.backends reads them with the user)."""
    cached = frozenset(group_names)
    if user.is_superuser:
        cached = cached | {Role.ADMINISTRATOR}
    user._role_cache = cached
    return cached


def has_role(user, *roles: str) -> bool:
    return bool(roles_of(user) & set(roles))


def is_member(user) -> bool:
    """Anyone holding at least one role may read changes; an account without roles sees nothing."""
    return bool(roles_of(user))
