"""The roll-back record: the roll_back step's effect (changes.transitions), run only by
changes.services.run_transition, inside its transaction, after the gate passed and before its ledger entry."""
from changes.models import RollbackRecord


def record_rollback(change, cleaned, actor, now) -> RollbackRecord:
    return RollbackRecord.objects.create(change=change, decided_by=actor, **{
        key: cleaned[key] for key in ("severity", "trigger", "kind", "decided_at", "reason", "steps_executed",
                                      "completed_at", "impact", "root_cause", "preventive_measures")
    }, automatic=bool(cleaned.get("automatic")))
