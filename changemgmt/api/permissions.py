"""API access: deny by default. Every endpoint needs an authenticated user holding a role;
object- and action-level rules are the services' (changes.rules, approvals.rules).

Least rights for pipelines: a pipeline token (changemgmt.models.tokens.TokenKind.PIPELINE) is refused
here by every endpoint, whatever its issuer's roles; only views declaring `pipeline_token_view = True`
(the pipeline gate, with its own permission class) accept it."""
from rest_framework.permissions import SAFE_METHODS, BasePermission

from changemgmt.roles import Role, is_member, roles_of

PIPELINE_TOKEN_REFUSED = ("A pipeline token may only call the pipeline gate (/api/pipeline/gate/), report "
                          "deployments (/api/pipeline/deployments/) and open standard changes "
                          "(/api/pipeline/changes/).")


def is_pipeline_token(auth) -> bool:
    return bool(getattr(auth, "is_pipeline", False))


class HasAnyRole(BasePermission):
    message = "You need a changemgmt role to use the API."

    def has_permission(self, request, view):
        if is_pipeline_token(request.auth) and not getattr(view, "pipeline_token_view", False):
            self.message = PIPELINE_TOKEN_REFUSED
            return False
        return bool(request.user and request.user.is_authenticated and is_member(request.user))


class ReadOnlyForAuditors(HasAnyRole):
    """Auditors read everything and write nothing."""

    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        return request.method in SAFE_METHODS or bool(roles_of(request.user) - {Role.AUDITOR})


class AdministratorsWrite(HasAnyRole):
    """Anyone with a role reads; only an administrator writes (the policy, as in the admin)."""

    message = "Only an administrator may change this."

    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        return request.method in SAFE_METHODS or Role.ADMINISTRATOR in roles_of(request.user)
