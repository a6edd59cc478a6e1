"""What the pipeline gate answers, as a pure function of the change, the request and the time.

It wraps the gates the pages use (changes.gates): before the change is ready, the approvals and test
evidence still missing; once it is ready, the deploy gate's window, freeze, approval-of-the-soft-freeze
and schedule rules — judged at the moment the pipeline asks. The deploy gate's pre-deployment checklist
and method are left out: they are recorded with the deployment, not asked of a pipeline.

Each item is classified: `wait` when the change is on its normal path and time, approvals, tests or an
emergency authorization will clear it; `deny` when it can never pass as it is. An item this module does
not know is `deny` (fail closed), so a rule added to a gate later cannot let a deployment through.
"""
from dataclasses import dataclass
from datetime import datetime

from changemgmt.errors import Missing
from changes import gates
from changes.calendar import schedule
from changes.choices import ChangeType, State
from changes.pipeline.choices import Decision

REF_GATE = "POLICY §10 pipeline gate [000]"
REF_STATES = "POLICY §4"
# Checklist items and the method are the deployment report's, not the gate's.
LEFT_TO_THE_REPORT = ("checklist_", "deployment_method")
WAIT_CODES = {"outside_window", "emergency_authorization", "not_submitted", "not_assessed", "not_approved",
              "not_tested"}
WAIT_PREFIXES = ("approval_", "test_")
# Where a change can still deploy from; any other state is answered with 409 (see services.ask_gate).
GATED_STATES = (State.DRAFT, State.ASSESSMENT, State.APPROVAL, State.TESTING, State.READY)
WAITING_FOR = {
    State.DRAFT: Missing("not_submitted", "The change is still a request: submit, assess, approve and test it.",
                         REF_STATES),
    State.ASSESSMENT: Missing("not_assessed", "The change awaits its risk assessment.", REF_STATES),
    State.APPROVAL: Missing("not_approved", "The change awaits its approvals.", REF_STATES),
    State.TESTING: Missing("not_tested", "The change awaits its test evidence and the test step.", REF_STATES),
}
POLL_SECONDS = 60
LONGEST_WAIT_SECONDS = 900


@dataclass(frozen=True)
class Item:
    missing: Missing
    blocking: str  # Decision.WAIT or Decision.DENY

    def as_dict(self) -> dict:
        return {**self.missing.as_dict(), "blocking": self.blocking}


@dataclass(frozen=True)
class Answer:
    decision: str
    items: list[Item]
    retry_after: int | None


def _blocking(item: Missing, change, now: datetime) -> str:
    if item.code == "outside_schedule":
        earliest, _latest = schedule.deployable_period(change)
        return Decision.WAIT if now < earliest else Decision.DENY  # too early: time clears it; too late: never
    if item.code in WAIT_CODES or item.code.startswith(WAIT_PREFIXES):
        return Decision.WAIT
    return Decision.DENY


def _judged_by_the_deploy_gate(change) -> bool:
    emergency_early = change.change_type == ChangeType.EMERGENCY and change.state in (State.ASSESSMENT,
                                                                                      State.APPROVAL)
    return change.state == State.READY or emergency_early


def clock_free(change) -> bool:
    """Whether the answer for this change cannot move with the clock alone: before the deploy gate judges it
    (a ready change, an emergency in assessment or approval), the items are its approvals, tests and the
    hard freezes over its plan, none read at `now`, and `retry_after` is the fixed poll interval. Only such
    an answer may be given again from its stamp (changes.pipeline.selectors.stamp_of) without evaluating."""
    return change.state in GATED_STATES and not _judged_by_the_deploy_gate(change)


def _gate_items(change, now: datetime) -> list[Missing]:
    if _judged_by_the_deploy_gate(change):
        return [item for item in gates.deploy_gate(change, {}, now) if not item.code.startswith(LEFT_TO_THE_REPORT)]
    items = [WAITING_FOR[change.state]]
    if change.state == State.APPROVAL:
        items += gates.approve_gate(change, {}, now)
    if change.state in (State.APPROVAL, State.TESTING):
        items += gates.test_gate(change, {}, now)
    if change.planned_start and change.planned_end and change.change_type != ChangeType.EMERGENCY:
        # A hard freeze over the approved plan will not lift for this change: it must be rescheduled.
        items += [item for item in schedule.freeze_violations(
            change_type=change.change_type, start=change.planned_start, end=change.planned_end,
            service_ids=schedule.effective_service_ids(change)) if item.code == "hard_freeze"]
    return items


def _request_items(change, service, digest: str, artefacts: list[str], several_allowed: bool) -> list[Missing]:
    items = []
    if service.pk not in schedule.effective_service_ids(change):
        items.append(Missing("service_not_on_change", f"Service “{service.name}” is not one this change touches: "
                             "deploy it under its own change.", REF_GATE))
    if artefacts and digest not in artefacts and not several_allowed:
        items.append(Missing("digest_mismatch", f"This change already deploys artefact {artefacts[0]}; a second "
                             "artefact needs the change to allow several.", REF_GATE))
    return items


def _retry_after(change, items: list[Item], now: datetime) -> int:
    """Poll soon while people act; while only the clock stands in the way, until the schedule opens."""
    if change.state == State.READY and all(item.missing.code in ("outside_schedule", "outside_window")
                                           for item in items):
        earliest, _latest = schedule.deployable_period(change)
        if earliest > now:
            return int(min(max((earliest - now).total_seconds(), POLL_SECONDS), LONGEST_WAIT_SECONDS))
    return POLL_SECONDS


def evaluate(change, *, service, digest: str, artefacts: list[str], several_allowed: bool, now: datetime) -> Answer:
    """The gate's answer for a change in one of GATED_STATES (with services, configuration items, approval
    slots and test evidence loadable)."""
    missing = _request_items(change, service, digest, artefacts, several_allowed) + _gate_items(change, now)
    items = [Item(item, _blocking(item, change, now)) for item in missing]
    if any(item.blocking == Decision.DENY for item in items):
        return Answer(Decision.DENY, items, None)
    if items:
        return Answer(Decision.WAIT, items, _retry_after(change, items, now))
    return Answer(Decision.ALLOW, [], None)
