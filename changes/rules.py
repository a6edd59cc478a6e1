"""Who may do what with a change: the one predicate module. Services enforce these; templates and
the API use them to show only what a user may do."""
from changemgmt.roles import Role, has_role, is_member, roles_of
from changes.choices import ChangeType, State

REVIEWER_ROLES = (Role.PEER_REVIEWER, Role.MANAGER, Role.SECURITY, Role.DBA, Role.OPERATIONS, Role.CAB_CHAIR,
                  Role.CTO, Role.CISO)
DELIVERY_ROLES = (Role.OPERATIONS,)


def is_author(user, change) -> bool:
    return user.pk is not None and user.pk in (change.requester_id, change.owner_id)


def can_view(user, change=None) -> bool:
    return is_member(user)


def can_write(user) -> bool:
    """Auditors are read-only everywhere; everyone else with a role may file changes."""
    return bool(roles_of(user) - {Role.AUDITOR})


def can_create(user) -> bool:
    return can_write(user)


def can_edit(user, change) -> bool:
    return (can_write(user) and change.state in (State.DRAFT, State.ASSESSMENT)
            and (is_author(user, change) or has_role(user, Role.ADMINISTRATOR)))


# After assessment the approvers have judged the change as it is: only what decides who approves and
# when it may deploy can still move (and moving it re-computes the slots, see services.update_change).
SCOPE_STATES = (State.APPROVAL, State.TESTING, State.READY)
RESCHEDULE_STATES = (State.DRAFT, State.ASSESSMENT, *SCOPE_STATES)


def can_edit_scope(user, change) -> bool:
    """Edit the schedule, services, configuration items, category or triggers after assessment."""
    return (can_write(user) and change.state in SCOPE_STATES
            and (is_author(user, change) or has_role(user, Role.ADMINISTRATOR)))


def can_reschedule(user, change) -> bool:
    return (can_write(user) and change.state in RESCHEDULE_STATES
            and (is_author(user, change) or has_role(user, Role.ADMINISTRATOR, *DELIVERY_ROLES)))


def can_score_risk(user, change) -> bool:
    """Before approval as usual; and an emergency change deployed before anyone scored it may be scored
    afterwards, so its post-hoc approvals can be created [POLICY §7]."""
    late_emergency = (change.change_type == ChangeType.EMERGENCY and change.state in (State.DEPLOYED, State.VERIFIED)
                      and not change.risk_level)
    if not can_write(user) or (change.state not in (State.DRAFT, State.ASSESSMENT, State.APPROVAL)
                               and not late_emergency):
        return False
    return is_author(user, change) or has_role(user, *REVIEWER_ROLES)


def can_override_risk(user, change) -> bool:
    return can_write(user) and has_role(user, *REVIEWER_ROLES)


# Who outranks whom when a raised risk level is withdrawn: a raise stands until the person who raised it,
# or someone of a higher rank, withdraws it [POLICY §2: a reviewer may raise, never lower].
RAISE_RANK = {Role.PEER_REVIEWER: 1, Role.DBA: 1, Role.OPERATIONS: 1, Role.SECURITY: 2, Role.MANAGER: 2,
              Role.CAB_CHAIR: 3, Role.CTO: 4, Role.CISO: 4}


def _rank(user) -> int:
    return max((RAISE_RANK.get(role, 0) for role in roles_of(user)), default=0)


def can_withdraw_raise(user, change) -> bool:
    if not can_write(user) or not change.risk_override:
        return False
    raiser = change.risk_override_by
    if raiser is None:  # a raise recorded without its author: any reviewer
        return can_override_risk(user, change)
    return raiser.pk == user.pk or _rank(user) > _rank(raiser)


def _author_or(user, change, *roles) -> bool:
    return can_write(user) and (is_author(user, change) or has_role(user, *roles))


def _holds_pending_slot(user, change) -> bool:
    """A rejection comes from the holder of a pending slot (or their delegate); the CAB rejects through its
    decision, which moves the change itself [issue 9 §2]."""
    from approvals.rules import may_reject

    return may_reject(user, change)


TRANSITION_PERMISSIONS = {
    "submit": lambda user, change: _author_or(user, change),
    "assess": lambda user, change: _author_or(user, change, *REVIEWER_ROLES),
    "approve": lambda user, change: _author_or(user, change),
    "test": lambda user, change: _author_or(user, change, *DELIVERY_ROLES),
    "deploy": lambda user, change: _author_or(user, change, *DELIVERY_ROLES),
    "verify": lambda user, change: _author_or(user, change, *DELIVERY_ROLES),
    "close": lambda user, change: _author_or(user, change, *DELIVERY_ROLES, Role.MANAGER),
    "roll_back": lambda user, change: _author_or(user, change, *DELIVERY_ROLES),
    "reject": lambda user, change: (can_write(user) and not is_author(user, change)
                                    and _holds_pending_slot(user, change)),
    "cancel": lambda user, change: _author_or(user, change, Role.MANAGER),
    "hold": lambda user, change: _author_or(user, change, *DELIVERY_ROLES, Role.MANAGER),
}


def can_transition(user, change, name: str) -> bool:
    return TRANSITION_PERMISSIONS[name](user, change)


def can_record_evidence(user, change) -> bool:
    return change.state == State.TESTING and _author_or(user, change, *DELIVERY_ROLES)
