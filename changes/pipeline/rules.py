"""Who may do what with the pipeline gate: one predicate module, reused by the API and the admin."""
from changemgmt.api.permissions import is_pipeline_token
from changemgmt.roles import Role, has_role
from changes.rules import can_write, is_author


def may_ask_gate(token) -> bool:
    """An active pipeline token; which services it covers is `token_covers` (or selectors.scoped_service)."""
    return is_pipeline_token(token) and token.is_active


def token_covers(token, service) -> bool:
    """A pipeline token gates only the services it is scoped to (least rights)."""
    return may_ask_gate(token) and token.services.filter(pk=service.pk).exists()


def can_allow_multiple_artefacts(user, change) -> bool:
    """The change's author or owner, operations or an administrator (never an auditor) may let a change
    carry more than one artefact."""
    return can_write(user) and (is_author(user, change) or has_role(user, Role.OPERATIONS, Role.ADMINISTRATOR))


def can_manage_environments(user) -> bool:
    return has_role(user, Role.ADMINISTRATOR)
