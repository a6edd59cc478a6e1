"""Separation of duties and who may decide a slot: the one predicate module [POLICY §3].

`decision_refusals` returns every reason a user may not decide a slot (empty: they may). Services
call it before deciding; templates and the API call it to show only the buttons a user may press.
"""
from approvals.choices import SLOT_HOLDERS, SlotRole, SlotStatus, Verdict
from changemgmt.roles import Role, has_role, roles_of

POLICY_SOD = "POLICY §3 separation of duties [000]"
CAB_ONLY = ("A CAB approval is decided only by the board, in a meeting with quorum (regular or emergency CAB): "
            "the chair records the board's decision on the meeting's agenda.")
AUDITORS_NEVER = "Auditors never decide approvals, whatever the delegation."


def holds_slot_role(user, slot) -> bool:
    return not roles_of(user).isdisjoint(SLOT_HOLDERS[slot.role])


def decision_refusals(user, slot, *, siblings, verdict: str = Verdict.GRANT, on_behalf_of=None,
                      by_board: bool = False) -> list[str]:
    """`siblings` are all live slots of the same change (including `slot`), already fetched.
    `on_behalf_of`: the away colleague whose role `user` uses by delegation; the separation-of-duties
    rules then hold for both people. `by_board`: the board's decision in a quorate meeting is being
    applied (approvals.services.decide_by_board), the only way a CAB slot is decided."""
    change = slot.change
    people = {user.pk} | ({on_behalf_of.pk} if on_behalf_of is not None else set())
    reasons = []
    if slot.status != SlotStatus.PENDING:
        reasons.append("This approval has already been decided.")
    if has_role(user, Role.AUDITOR) or (on_behalf_of is not None and has_role(on_behalf_of, Role.AUDITOR)):
        reasons.append(AUDITORS_NEVER)
    if slot.role == SlotRole.CAB and not by_board:
        reasons.append(CAB_ONLY)
    role_holder = on_behalf_of if on_behalf_of is not None else user
    if not holds_slot_role(role_holder, slot):
        reasons.append(f"Only a holder of the {SlotRole(slot.role).label} role may decide this approval.")
    if people & {change.requester_id, change.owner_id}:
        reasons.append("The author or owner of a change may not approve it.")
    if any(people & {s.decided_by_id, s.on_behalf_of_id} and s.pk != slot.pk and s.status != SlotStatus.SUPERSEDED
           for s in siblings):
        reasons.append("One person may not fill two approval slots on the same change.")
    if verdict == Verdict.GRANT and not reasons:
        still_pending = [s for s in siblings if s.status == SlotStatus.PENDING and s.pk != slot.pk]
        if not still_pending and change.team_id is not None:
            deciders_teams = {s.decided_by.team_id for s in siblings if s.status == SlotStatus.GRANTED}
            deciders_teams.add(user.team_id)
            if deciders_teams <= {change.team_id}:
                reasons.append("Dual control: at least one approver must come from outside the author's team.")
    return reasons


def may_decide(user, slot, *, siblings) -> bool:
    return not decision_refusals(user, slot, siblings=siblings)


def may_reject(user, change) -> bool:
    """Whether `user` may reject `change` outright (the "reject" transition): only someone who could
    reject one of its pending slots themselves or as a delegate. The CAB's slot is the board's: the board
    rejects through its decision (cab.services.voting), never one member through this door."""
    from approvals import delegation

    siblings = list(change.approval_slots.exclude(status=SlotStatus.SUPERSEDED).select_related("decided_by"))
    delegators = delegation.active_delegators(user)
    for slot in siblings:
        if slot.status != SlotStatus.PENDING:
            continue
        slot.change = change
        acting_for = delegation.acting_for(user, slot, delegators)
        if not decision_refusals(user, slot, siblings=siblings, verdict=Verdict.REJECT, on_behalf_of=acting_for):
            return True
    return False
