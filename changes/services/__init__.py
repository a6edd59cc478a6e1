"""Every write to a change request goes through here: from pages, the API, the admin and tasks.

Each service locks what it changes, checks permission (changes.rules), validates input
(changes.forms), checks the gate (changes.gates), writes, and appends the ledger entry and the
domain event in the same transaction. Anything it refuses leaves the database untouched.

One module per step (filing, editing, scoring, evidence, transition; common holds what they share);
callers keep importing from here: `from changes import services; services.run_transition(...)`.
"""
from changes.services.common import Saved
from changes.services.editing import SCHEDULE_FIELDS, SCOPE_FIELDS, SLOT_FIELDS, reschedule, update_change
from changes.services.evidence import record_test_evidence
from changes.services.external import save_by_external_reference
from changes.services.filing import create_change, create_from_template
from changes.services.scoring import RETURNABLE_STATES, RETURNED_NOTIFICATION, score_risk
from changes.services.transition import available_transitions, run_transition, transition_missing

__all__ = ["RETURNABLE_STATES", "RETURNED_NOTIFICATION", "SCHEDULE_FIELDS", "SCOPE_FIELDS", "SLOT_FIELDS", "Saved",
           "available_transitions", "create_change", "create_from_template", "record_test_evidence", "reschedule",
           "run_transition", "save_by_external_reference", "score_risk", "transition_missing", "update_change"]
