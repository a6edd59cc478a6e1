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
# The statuses as plain strings: compared for every sibling of every slot checked.
PENDING, GRANTED, SUPERSEDED = SlotStatus.PENDING.value, SlotStatus.GRANTED.value, SlotStatus.SUPERSEDED.value


def decision_refusals(user, slot, *, siblings, verdict: str = Verdict.GRANT, on_behalf_of=None,
                      by_board: bool = False) -> list[str]:
    """`siblings` are all live slots of the same change (including `slot`), already fetched.
    `on_behalf_of`: the away colleague whose role `user` uses by delegation; the separation-of-duties
    rules then hold for both people. `by_board`: the board's decision in a quorate meeting is being
    applied (approvals.services.decide_by_board), the only way a CAB slot is decided."""
    return DecisionCheck(user, on_behalf_of, by_board=by_board).refusals(slot, siblings, verdict)


class DecisionCheck:
    """`decision_refusals` of one user (acting for `on_behalf_of` or not) for any number of slots: what
    depends only on the people (who they are, whether an auditor, the roles that may fill a slot) is
    worked out once. My approvals checks up to 500 slots for one user, and working it out again for
    each slot was a third of the rules' time there."""

    def __init__(self, user, on_behalf_of=None, *, by_board: bool = False):
        self.user, self.by_board = user, by_board
        self.people = frozenset({user.pk} | ({on_behalf_of.pk} if on_behalf_of is not None else set()))
        self.auditor = has_role(user, Role.AUDITOR) or (on_behalf_of is not None
                                                        and has_role(on_behalf_of, Role.AUDITOR))
        self.held = roles_of(on_behalf_of if on_behalf_of is not None else user)

    def refusals(self, slot, siblings, verdict: str = Verdict.GRANT) -> list[str]:
        """decision_refusals(self.user, slot, siblings=siblings, verdict=verdict, …) as constructed."""
        change, people, pk = slot.change, self.people, slot.pk
        reasons = []
        if slot.status != PENDING:
            reasons.append("This approval has already been decided.")
        if self.auditor:
            reasons.append(AUDITORS_NEVER)
        if slot.role == SlotRole.CAB and not self.by_board:
            reasons.append(CAB_ONLY)
        if self.held.isdisjoint(SLOT_HOLDERS[slot.role]):
            reasons.append(f"Only a holder of the {SlotRole(slot.role).label} role may decide this approval.")
        if change.requester_id in people or change.owner_id in people:
            reasons.append("The author or owner of a change may not approve it.")
        others_pending = filled_by_them = False  # another live slot: still pending / decided by one of `people`
        for s in siblings:
            if s.pk != pk and s.status != SUPERSEDED:
                others_pending = others_pending or s.status == PENDING
                filled_by_them = filled_by_them or s.decided_by_id in people or s.on_behalf_of_id in people
        if filled_by_them:
            reasons.append("One person may not fill two approval slots on the same change.")
        if verdict == Verdict.GRANT and not reasons and change.team_id is not None and not others_pending:
            deciders_teams = {s.decided_by.team_id for s in siblings if s.status == GRANTED}
            deciders_teams.add(self.user.team_id)
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
