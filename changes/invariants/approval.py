"""The invariants of approvals [POLICY §3, §5]: each rule a function of a Subject yielding messages."""
from collections import defaultdict

from approvals.choices import SLOT_HOLDERS, SlotRole, SlotStatus
from changemgmt.roles import Role, roles_of
from changes.choices import ChangeType, State
from changes.invariants.core import PAST_APPROVAL, Subject, _emergency, rule


def _required_specs(change):
    from approvals.matrix import required_slots

    if change.change_type == ChangeType.STANDARD:
        # Pre-approved by its template; a ticked security trigger still asks for security [POLICY §3].
        return [spec for spec in required_slots(risk_level=change.risk_level or "low", category=change.category,
                                                security_triggers=change.security_triggers)
                if spec.role == SlotRole.SECURITY and change.security_triggers]
    return required_slots(risk_level=change.risk_level or "low", category=change.category,
                          security_triggers=change.security_triggers)


@rule("approved_slots_granted", "POLICY §4 approve, §3 matrix")
def approved_slots_granted(s: Subject):
    """A change past approval (not an emergency one, approved post hoc) has every slot the matrix,
    its category and its security triggers require granted, and no live slot waiting or rejected.
    A standard change with a ticked security trigger needs its security review."""
    change = s.change
    if change.state not in PAST_APPROVAL or _emergency(change):
        return
    live = s.live_slots
    for slot in live:
        if slot.status != SlotStatus.GRANTED:
            yield f"past approval with the {slot.role}#{slot.ordinal} slot {slot.status}"
    granted = {(slot.role, slot.ordinal) for slot in live if slot.status == SlotStatus.GRANTED}
    for spec in _required_specs(change):
        if (spec.role, spec.ordinal) not in granted:
            yield f"past approval without a granted {spec.role}#{spec.ordinal} slot ({spec.rule})"


def _decided(s: Subject):
    return [slot for slot in s.live_slots if slot.status in (SlotStatus.GRANTED, SlotStatus.REJECTED)]


@rule("no_approval_by_author_or_owner", "POLICY §3 separation of duties [000]")
def no_approval_by_author_or_owner(s: Subject):
    """Neither the author nor the owner decided a slot of their change, themselves or by delegation."""
    people = {s.change.requester_id, s.change.owner_id}
    for slot in _decided(s):
        if {slot.decided_by_id, slot.on_behalf_of_id} & people:
            yield f"{slot.role}#{slot.ordinal} was decided by the change's author or owner"


@rule("one_person_one_slot", "POLICY §3 separation of duties [000]")
def one_person_one_slot(s: Subject):
    """One person fills at most one slot of a change (as decider or as the delegator acted for)."""
    seen = defaultdict(list)
    for slot in _decided(s):
        for person in {slot.decided_by_id, slot.on_behalf_of_id} - {None}:
            seen[person].append(f"{slot.role}#{slot.ordinal}")
    for person, slots in seen.items():
        if len(slots) > 1:
            yield f"user {person} filled {len(slots)} slots: {', '.join(slots)}"


@rule("dual_control", "POLICY §3 dual control [000]")
def dual_control(s: Subject):
    """A change approved (past approval, every live slot granted) has at least one approver from outside
    the author's team. A cancelled or rejected change was never approved: its waiting slots were
    superseded, so the granted ones left are not an approval."""
    change, live = s.change, s.live_slots
    if change.state not in PAST_APPROVAL or not live or change.team_id is None \
            or any(slot.status != SlotStatus.GRANTED for slot in live):
        return
    if all(slot.decided_by is not None and slot.decided_by.team_id == change.team_id for slot in live):
        yield "every approver is from the author's team"


@rule("deciders_hold_the_role", "POLICY §3 [002 §4.3]")
def deciders_hold_the_role(s: Subject):
    """Whoever decided a slot holds its role (or decided for a delegator who does); auditors never
    decide."""
    for slot in _decided(s):
        holder = slot.on_behalf_of or slot.decided_by
        if holder is None:
            yield f"{slot.role}#{slot.ordinal} is {slot.status} with no decider"
            continue
        if not roles_of(holder) & set(SLOT_HOLDERS[slot.role]):
            yield f"{slot.role}#{slot.ordinal} decided by {holder.username}, who does not hold the role"
        for person in (slot.decided_by, slot.on_behalf_of):
            if person is not None and Role.AUDITOR in roles_of(person):
                yield f"{slot.role}#{slot.ordinal} decided by the auditor {person.username}"


@rule("cab_slot_by_the_board", "POLICY §5 [002 §7]")
def cab_slot_by_the_board(s: Subject):
    """A CAB slot is decided only by the board in a meeting with quorum, recorded as such in the
    ledger (`"by": "cab"`), never by one person's decision."""
    decisions = {}
    for entry in s.entries:
        if entry.action in ("approval.granted", "approval.rejected") and entry.payload.get("slot_id"):
            decisions[entry.payload["slot_id"]] = entry
    for slot in _decided(s):
        if slot.role == SlotRole.CAB:
            entry = decisions.get(slot.pk)
            if entry is None or entry.payload.get("by") != "cab":
                yield f"the CAB slot was {slot.status} outside a board decision"


@rule("rejected_by_a_slot_holder", "POLICY §3 (a rejection by any required approver)")
def rejected_by_a_slot_holder(s: Subject):
    """A rejected change was rejected through a slot, by someone holding one of its slots' roles or
    by the board."""
    entry = s.last("reject")
    if s.change.state != State.REJECTED or entry is None or entry.payload.get("automatic"):
        return
    actor = entry.actor
    roles = roles_of(actor) if actor is not None else set()
    slot_roles = {slot.role for slot in s.change.approval_slots.all()}
    if not any(roles & set(SLOT_HOLDERS[role]) for role in slot_roles):
        yield f"rejected by {entry.actor_name}, who holds none of the change's slots"
