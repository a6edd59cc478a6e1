"""The invariants of the ledger [POLICY §9]: each rule a function of a Subject yielding messages."""
from collections import defaultdict

from changes.choices import State
from changes.invariants.core import Rule, Subject, Violation, rule


@rule("state_follows_the_ledger", "POLICY §9 [002 §11]")
def state_follows_the_ledger(s: Subject):
    """The ledger holds exactly one `change.created` entry and every transition of the change, each
    starting where the previous one ended and the last one ending in the current state."""
    created = sum(1 for entry in s.entries if entry.action == "change.created")
    if created != 1:
        yield f"{created} change.created entries (one expected)"
    state = State.DRAFT
    for _step, entry in s.path:
        if entry.payload.get("from") != state:
            yield f"ledger #{entry.seq} {entry.action} starts from {entry.payload.get('from')!r}, not {state!r}"
        state = entry.payload.get("to")
    if state != s.change.state:
        yield f"state {s.change.state!r}, but the ledger's last transition ended in {state!r}"


@rule("writes_are_in_the_ledger", "POLICY §9 [002 §11]")
def writes_are_in_the_ledger(s: Subject):
    """Each decided slot, each test evidence and each rollback record has exactly one ledger entry."""
    decisions = defaultdict(int)
    evidence = rollbacks = 0
    for entry in s.entries:
        if entry.action in ("approval.granted", "approval.rejected"):
            decisions[entry.payload.get("slot_id")] += 1
        elif entry.action == "change.test_evidence":
            evidence += 1
        elif entry.action == "change.roll_back":
            rollbacks += 1
    for slot in s.change.approval_slots.all():
        expected = 1 if slot.decided_by_id else 0
        if decisions.get(slot.pk, 0) != expected:
            yield f"{slot.role}#{slot.ordinal}: {decisions.get(slot.pk, 0)} decision entries ({expected} expected)"
    if evidence != len(s.change.test_evidence.all()):
        yield f"{len(s.change.test_evidence.all())} test evidence rows but {evidence} ledger entries"
    if rollbacks != len(s.change.rollbacks.all()):
        yield f"{len(s.change.rollbacks.all())} rollback records but {rollbacks} ledger entries"


LEDGER_RULE = Rule("ledger_verifies", "POLICY §9 [002 §11][004 §6]", lambda s: ())


def ledger_violations() -> list[Violation]:
    """The whole chain verifies (changemgmt.ledger.audit, as `manage.py ledger verify`)."""
    from changemgmt.ledger.audit import verify_database

    outcome = verify_database()
    if outcome.intact:
        return []
    return [Violation(None, LEDGER_RULE.name, LEDGER_RULE.policy, f"the ledger does not verify: {outcome.problem}")]
