"""What every invariant rule reads and returns: a Subject (one change and its ledger entries), a
Violation, and the registry the sections fill with `@rule`."""
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta

from approvals.choices import SlotStatus
from changemgmt.models import LedgerEntry
from changes.calendar import schedule
from changes.choices import ChangeType, State
from changes.models import ChangeRequest
from changes.transitions import TRANSITIONS

SUBJECT_PREFIX = f"{ChangeRequest._meta.label_lower}:"
SUBMITTED_FIELD_CODES = ("field_", "emergency_criterion")
PRE_DEPLOY_STATES = (State.ASSESSMENT, State.APPROVAL, State.TESTING, State.READY)
PAST_APPROVAL = (State.TESTING, State.READY, State.DEPLOYED, State.VERIFIED, State.CLOSED, State.ROLLED_BACK)
PAST_TESTING = (State.READY, State.DEPLOYED, State.VERIFIED, State.CLOSED, State.ROLLED_BACK)
# State moves the services make besides the transitions: an approved change whose edit or reschedule
# needs new approvals goes back to approval (changes.services.editing._resync_slots); a change whose raised risk
# its plan no longer satisfies goes back to request (changes.services.score_risk), and starts afresh.
RETURNED_TO_REQUEST = "change.returned_to_request"
STATE_MOVES = ("change.returned_to_approval", RETURNED_TO_REQUEST)
SOFT_FREEZE_RULE_PREFIX = getattr(schedule, "SOFT_FREEZE_RULE_PREFIX", "Soft freeze")


@dataclass(frozen=True)
class Violation:
    change_id: int | None
    rule: str
    policy: str
    message: str

    def __str__(self) -> str:
        who = f"{ChangeRequest(pk=self.change_id).reference}: " if self.change_id else ""
        return f"{who}[{self.rule}] {self.message} ({self.policy})"


@dataclass
class Subject:
    """One change with what the rules read: its prefetched relations and its ledger entries in order."""

    change: ChangeRequest
    entries: list[LedgerEntry]

    @property
    def path(self) -> list[tuple[str, LedgerEntry]]:
        """The transitions the ledger recorded for the change, in order: its state path."""
        return [(entry.action.removeprefix("change."), entry) for entry in self.entries
                if entry.action.removeprefix("change.") in TRANSITIONS or entry.action in STATE_MOVES]

    @property
    def current_pass(self) -> list[tuple[str, LedgerEntry]]:
        """The path since the change last went back to request: what it passed this time over the belt."""
        path = self.path
        returns = [index for index, (_step, entry) in enumerate(path) if entry.action == RETURNED_TO_REQUEST]
        return path[returns[-1] + 1:] if returns else path

    def passed(self, name: str) -> bool:
        return any(step == name for step, _entry in self.current_pass)

    def last(self, name: str) -> LedgerEntry | None:
        found = [entry for step, entry in self.current_pass if step == name]
        return found[-1] if found else None

    @property
    def live_slots(self):
        return [s for s in self.change.approval_slots.all() if s.status != SlotStatus.SUPERSEDED]


@dataclass(frozen=True)
class Rule:
    name: str
    policy: str
    check: Callable[[Subject], Iterable[str]]

    @property
    def doc(self) -> str:
        return " ".join((self.check.__doc__ or "").split())


RULES: list[Rule] = []


def rule(name: str, ref: str):
    """Register a per-change rule: a function of a Subject yielding messages."""
    def register(check):
        RULES.append(Rule(name, ref, check))
        return check
    return register


def _emergency(change) -> bool:
    return change.change_type == ChangeType.EMERGENCY


def _duration(change) -> timedelta:
    if change.planned_start and change.planned_end:
        return change.planned_end - change.planned_start
    return timedelta(minutes=1)
