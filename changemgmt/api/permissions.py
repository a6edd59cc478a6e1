"""API access: deny by default. Every endpoint needs an authenticated user holding a role;
object- and action-level rules are the services' (changes.rules, approvals.rules)."""
from rest_framework.permissions import SAFE_METHODS, BasePermission

from changemgmt.roles import Role, is_member, roles_of


class HasAnyRole(BasePermission):
    message = "You need a changemgmt role to use the API."

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and is_member(request.user))


class ReadOnlyForAuditors(HasAnyRole):
    """Auditors read everything and write nothing."""

    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        return request.method in SAFE_METHODS or bool(roles_of(request.user) - {Role.AUDITOR})
