"""The invariants of assess [POLICY §2]: each rule a function of a Subject yielding messages."""


from changes.invariants.core import Subject, _emergency, rule
from changes.risk import FACTORS, band, final_level


@rule("scorecard_consistent", "POLICY §2 [002 §3.2-3.3]")
def scorecard_consistent(s: Subject):
    """The levels follow from the scores: computed = band(scores), final = the computed level or a
    higher raise with its justification; an assessed (non-emergency) change has all five scores."""
    change = s.change
    scores = {key: getattr(change, field) for key, (field, _label, _levels) in FACTORS.items()}
    complete = None not in scores.values()
    if s.passed("assess") and not _emergency(change) and not complete:
        yield "assessed without a complete scorecard"
    if not complete:
        return
    computed = band(scores)
    if change.risk_computed != computed:
        yield f"computed level {change.risk_computed!r}, but the scores give {computed!r}"
    if change.risk_level != final_level(change.risk_computed or computed, change.risk_override):
        yield f"final level {change.risk_level!r} is neither the computed level nor a higher raise"
    if change.risk_override and not change.risk_override_reason.strip():
        yield "a raised level without its written justification"


@rule("raise_stands", "POLICY §2 (a reviewer may raise, never lower)")
def raise_stands(s: Subject):
    """A raised level stands until it is withdrawn: the final level is never below the last raise
    recorded in the ledger that no withdrawal followed."""
    standing = None
    for entry in s.entries:
        payload = entry.payload or {}
        if "withdraw" in entry.action or payload.get("withdrawn"):
            standing = None
        elif entry.action == "change.risk_scored" and payload.get("override"):
            standing = payload["override"]
    level = s.change.risk_level
    if standing and level and final_level(level, standing) != level:
        yield f"final level {level!r} is below the standing raise to {standing!r}"
