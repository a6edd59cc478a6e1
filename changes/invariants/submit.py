"""The invariants of submit [POLICY §4 submit, §1, §6]: each rule a function of a Subject yielding messages."""

from django.utils import timezone

from changes import gates
from changes.calendar import schedule
from changes.choices import State
from changes.invariants.core import PRE_DEPLOY_STATES, SUBMITTED_FIELD_CODES, Subject, _emergency, rule


@rule("submitted_fields_complete", "POLICY §4 submit [002 §4.2]")
def submitted_fields_complete(s: Subject):
    """A submitted change still has every field the submit gate requires (an edit after submission
    is judged against that gate)."""
    if not s.passed("submit"):
        return
    now = timezone.now()
    for item in gates.submit_gate(s.change, {}, now):
        if item.code.startswith(SUBMITTED_FIELD_CODES):
            yield f"submitted, yet: {item.message}"


@rule("lead_time_from_submission", "POLICY §1 [002][004]")
def lead_time_from_submission(s: Subject):
    """A submitted change's planned start leaves the lead time of its type and risk after submission:
    the final risk once assessed, the lowest before (the submit gate knew no more)."""
    change = s.change
    if not (s.passed("submit") and change.submitted_at and change.planned_start) or _emergency(change):
        return
    risk = change.risk_level if s.passed("assess") and change.risk_level else "low"
    for item in schedule.lead_time_violations(change_type=change.change_type, risk=risk,
                                              planned_start=change.planned_start, from_time=change.submitted_at):
        yield item.message


@rule("planned_inside_window", "POLICY §6 [002 §9.1-9.2]")
def planned_inside_window(s: Subject):
    """A scheduled, not yet deployed change is planned inside a window for its risk (its final risk
    once assessed)."""
    change = s.change
    if change.state not in PRE_DEPLOY_STATES or _emergency(change) or not (change.planned_start and change.planned_end):
        return
    risk = change.risk_level if change.state != State.ASSESSMENT and change.risk_level else "low"
    for item in schedule.window_violations(change_type=change.change_type, risk=risk, start=change.planned_start,
                                           end=change.planned_end):
        yield item.message
