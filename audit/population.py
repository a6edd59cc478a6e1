"""The population of changes for a period with their control attributes, and the control
exceptions (SOC 2 CC8.1 style): one pass of changes.invariants over each chunk of changes.

The attributes are not re-derived: each is "no" exactly when one of the invariant rules named in
ATTRIBUTES found a violation, "yes" when none did, and "n/a" when the change never reached the step
the attribute is about. Only the emergency paperwork deadline has no rule; it is read from the
change's EmergencyReview. Changes are read in chunks of CHUNK with their relations prefetched, so
the queries grow per chunk, not per change."""
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from audit.selectors import day_start
from changes import invariants
from changes.choices import ChangeType, State
from changes.emergency.models import EmergencyReview
from changes.models import ChangeRequest

CHUNK = 500
YES, NO, NOT_APPLICABLE = "yes", "no", "n/a"

# attribute: (the invariant rules that decide it, when it applies)
ATTRIBUTES = {
    "approvals_complete_before_deploy": (("approved_slots_granted", "cab_slot_by_the_board",
                                          "deciders_hold_the_role", "emergency_authorized_before_deploying"),
                                         lambda change: change.deployed_at is not None),
    "separation_of_duties_held": (("no_approval_by_author_or_owner", "one_person_one_slot", "dual_control"),
                                  lambda change: True),
    "tests_per_risk_present": (("tested_for_its_risk",), lambda change: change.deployed_at is not None),
    "deployed_inside_window": (("deployed_inside_a_window", "deployed_outside_freezes",
                                "deployed_inside_the_approved_schedule"),
                               lambda change: change.deployed_at is not None),
    "pir_done": (("closed_with_review",), lambda change: change.state == State.CLOSED),
}
COLUMNS = ("reference", "title", "type", "risk", "state", "created_at", "deployed_at",
           *ATTRIBUTES, "emergency_paperwork_on_time", "exceptions")
EXCEPTION_COLUMNS = ("reference", "rule", "policy", "message")


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    def changes(self):
        """Changes filed in the period (both days included)."""
        return ChangeRequest.objects.filter(created_at__gte=day_start(self.start),
                                            created_at__lt=day_start(self.end + timedelta(days=1)))


def _paperwork(change, review) -> str:
    if change.change_type != ChangeType.EMERGENCY or review is None:
        return NOT_APPLICABLE
    if review.completed_at is None:
        return NO if review.due_at <= timezone.now() else NOT_APPLICABLE
    return YES if review.completed_at <= review.due_at else NO


def _attributes(change, broken: set[str]) -> dict:
    return {name: (YES if not broken & set(rules) else NO) if applies(change) else NOT_APPLICABLE
            for name, (rules, applies) in ATTRIBUTES.items()}


def judged(period: Period) -> Iterator[tuple[ChangeRequest, dict, list]]:
    """(change, attributes, violations) for every change of the period, in id order, chunk by chunk."""
    ids = list(period.changes().order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        reviews = {r.change_id: r for r in EmergencyReview.objects.filter(change_id__in=chunk)}
        for subject in invariants.subjects(chunk, batch_size=CHUNK):
            change = subject.change
            violations = invariants.check_change(subject)
            attributes = _attributes(change, {v.rule for v in violations})
            attributes["emergency_paperwork_on_time"] = _paperwork(change, reviews.get(change.pk))
            yield change, attributes, violations


def population_rows(period: Period) -> Iterator[list]:
    yield list(COLUMNS)
    for change, attributes, violations in judged(period):
        yield [change.reference, change.title, change.change_type, change.risk_level or "", change.state,
               change.created_at.isoformat(), change.deployed_at.isoformat() if change.deployed_at else "",
               *(attributes[name] for name in COLUMNS[7:-1]),
               "; ".join(sorted({v.rule for v in violations}))]


def exception_rows(period: Period) -> Iterator[list]:
    """Every control exception of the period's changes: the rule it broke, its POLICY reference, why."""
    yield list(EXCEPTION_COLUMNS)
    for change, _attributes, violations in judged(period):
        for violation in violations:
            yield [change.reference, violation.rule, violation.policy, violation.message]
