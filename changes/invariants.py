"""What must hold for every change in every state, as checkable rules [POLICY §1-§9].

A change in state S satisfies, at every moment, every gate of its state path that can still be
judged: the fields the submit gate asked for are still there, the evidence the test gate asked for
is there, a deployment happened inside a window for its risk and outside hard freezes, and so on.
Approvals keep separation of duties, and every write is in the ledger, which verifies.

Each rule is a named function with its POLICY reference that returns the violations it finds, so
one module serves the model-based test (tests/changes/test_invariants_stateful.py), the unit tests and an
operator (`manage.py check_invariants` on the live database).

How to read a violation: rules judge the data as it is now, with the policy, windows and the roles
of people as they are now (a policy edit that tightens a rule can make an older change look in
breach; the ledger's `policy.updated` entries say when the rule changed). The schedule rules judge
freezes as announced before the step (an announced freeze's creation time comes from its row
history). No rule is left out of the model-based test: each promise is proved, not assumed.
"""
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from approvals.choices import SLOT_HOLDERS, SlotRole, SlotStatus
from changemgmt import policy
from changemgmt.models import LedgerEntry
from changemgmt.roles import Role, roles_of
from changes import gates
from changes.calendar import schedule
from changes.calendar.choices import FreezeKind
from changes.calendar.models import Freeze
from changes.choices import ChangeType, Outcome, State
from changes.models import ChangeRequest, TestEvidence
from changes.risk import FACTORS, band, final_level
from changes.transitions import TRANSITIONS

SUBJECT_PREFIX = f"{ChangeRequest._meta.label_lower}:"
SUBMITTED_FIELD_CODES = ("field_", "emergency_criterion")
PRE_DEPLOY_STATES = (State.ASSESSMENT, State.APPROVAL, State.TESTING, State.READY)
PAST_APPROVAL = (State.TESTING, State.READY, State.DEPLOYED, State.VERIFIED, State.CLOSED, State.ROLLED_BACK)
PAST_TESTING = (State.READY, State.DEPLOYED, State.VERIFIED, State.CLOSED, State.ROLLED_BACK)
# State moves the services make besides the transitions: an approved change whose edit or reschedule
# needs new approvals goes back to approval (changes.services._resync_slots); a change whose raised risk
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


# ----- submit [POLICY §4 submit, §1, §6] --------------------------------------------------------------

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


# ----- assess [POLICY §2] ------------------------------------------------------------------------------

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


# ----- approvals [POLICY §3, §5] -----------------------------------------------------------------------

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


# ----- test, deploy, verify, close, roll back [POLICY §4, §6, §7, §8] ---------------------------------

@rule("tested_for_its_risk", "POLICY §4 test [002 §8.1, §8.3]")
def tested_for_its_risk(s: Subject):
    """A change past testing has passing evidence, latest run per type, of every type its final risk
    requires."""
    if s.change.state in PAST_TESTING and s.passed("test"):
        for item in gates.test_gate(s.change, {}, timezone.now()):
            if item.code.startswith("test_"):  # the gate's evidence items, not its re-checks of the plan
                yield f"past testing, yet: {item.message}"


@rule("deployment_recorded", "POLICY §4 deploy [002 §9.3-9.4]")
def deployment_recorded(s: Subject):
    """A deployed change has its pre-deployment checklist done and a known deployment method."""
    change = s.change
    if not change.deployed_at:
        return
    for item in policy.get("predeploy_checklist"):
        if not (change.predeploy_checklist or {}).get(item["code"]):
            yield f"deployed without the checklist item “{item['label']}”"
    if change.deployment_method not in {m["code"] for m in policy.get("deployment_methods")}:
        yield f"deployed with no known method ({change.deployment_method!r})"


@rule("deployed_inside_a_window", "POLICY §6 [002 §9.1-9.2][004 §4.5]")
def deployed_inside_a_window(s: Subject):
    """A non-emergency deployment, over its whole planned length, lies inside a window for its risk."""
    change = s.change
    if not change.deployed_at or _emergency(change):
        return
    start = change.deployed_at
    for item in schedule.window_violations(change_type=change.change_type, risk=change.risk_level or "low",
                                           start=start, end=start + _duration(change)):
        yield f"deployed {item.message}"


def _freezes_at(change, start, end):
    """Freezes over [start, end) on the change's services, announced ones only if announced by `start`."""
    periods = schedule.freezes_between(start, end, schedule.effective_service_ids(change))
    announced = [p.pk for p in periods if p.pk is not None]
    born = {}
    if announced:
        for row in Freeze.history.filter(id__in=announced, history_type="+").values("id", "history_date"):
            born[row["id"]] = row["history_date"]
    return [p for p in periods if p.pk is None or born.get(p.pk, start) <= start]


@rule("deployed_outside_freezes", "POLICY §6 freezes")
def deployed_outside_freezes(s: Subject):
    """A non-emergency deployment touches no hard freeze; one in a soft freeze has a written
    justification and the extra approval."""
    change = s.change
    if not change.deployed_at or _emergency(change):
        return
    start = change.deployed_at
    for period in _freezes_at(change, start, start + _duration(change)):
        if period.kind == FreezeKind.HARD:
            yield f"deployed inside the hard freeze “{period.name}”"
            continue
        if not change.freeze_justification.strip():
            yield f"deployed inside the soft freeze “{period.name}” without a justification"
        if not any(slot.status == SlotStatus.GRANTED and slot.rule.startswith(SOFT_FREEZE_RULE_PREFIX)
                   for slot in s.live_slots):
            yield f"deployed inside the soft freeze “{period.name}” without its extra approval"


@rule("deployed_inside_the_approved_schedule", "POLICY §4 deploy, §1 lead time")
def deployed_inside_the_approved_schedule(s: Subject):
    """A non-emergency change deploys within its planned start to end, give or take the policy
    tolerance."""
    change = s.change
    if not change.deployed_at or _emergency(change) or not (change.planned_start and change.planned_end):
        return
    tolerance = schedule.deploy_tolerance() if hasattr(schedule, "deploy_tolerance") else timedelta(0)
    earliest, latest = change.planned_start - tolerance, change.planned_end + tolerance
    if not (earliest <= change.deployed_at and change.deployed_at + _duration(change) <= latest):
        yield (f"deployed at {timezone.localtime(change.deployed_at):%Y-%m-%d %H:%M}, outside the approved "
               f"schedule {timezone.localtime(change.planned_start):%Y-%m-%d %H:%M}-"
               f"{timezone.localtime(change.planned_end):%H:%M}")


@rule("emergency_authorized_before_deploying", "POLICY §7 [002 §6.3]")
def emergency_authorized_before_deploying(s: Subject):
    """An emergency change deployed before approval and testing has its verbal authorization."""
    entry = s.last("deploy")
    if entry is None or entry.payload.get("from") == State.READY or not _emergency(s.change):
        return
    if not gates.emergency_authorized(s.change):
        yield "deployed early without the verbal emergency authorization"


@rule("verification_recorded", "POLICY §4 verify [002 §8.4][004 §4.6]")
def verification_recorded(s: Subject):
    """A verified change has every production check and was monitored for its risk's minimum period."""
    change = s.change
    if not change.verified_at:
        return
    for item in policy.get("verification_checks"):
        if not (change.verification_checks or {}).get(item["code"]):
            yield f"verified without “{item['label']}”"
    minutes = policy.get("monitoring_minutes")[change.risk_level or "low"]
    if change.deployed_at and change.verified_at < change.deployed_at + timedelta(minutes=minutes):
        yield f"verified before its {minutes}-minute monitoring period ended"


@rule("closed_with_review", "POLICY §4 close [001]")
def closed_with_review(s: Subject):
    """A closed change has an outcome, every review answer and lessons learned; the outcome is
    "rolled back" exactly when it was rolled back."""
    change = s.change
    if change.state != State.CLOSED:
        return
    if not change.outcome:
        yield "closed without an outcome"
    answers = change.review_answers or {}
    for item in policy.get("review_items"):
        if item["code"] not in answers:
            yield f"closed without the review answer “{item['label']}”"
    if not change.lessons_learned.strip():
        yield "closed without lessons learned"
    rolled_back = s.passed("roll_back")
    if rolled_back and change.outcome != Outcome.ROLLED_BACK:
        yield f"a rolled-back change closed as {change.outcome!r}"
    if not rolled_back and change.outcome == Outcome.ROLLED_BACK:
        yield "closed as rolled back, but it was never rolled back"


ROLLBACK_FIELDS = ("severity", "trigger", "kind", "decided_at", "reason", "steps_executed", "completed_at",
                   "impact", "root_cause", "preventive_measures")


@rule("rollback_recorded", "POLICY §8 [002 §10]")
def rollback_recorded(s: Subject):
    """A rolled-back change has a complete rollback record for each roll-back."""
    count = sum(1 for step, _entry in s.path if step == "roll_back")
    records = list(s.change.rollbacks.all())
    if count and len(records) < count:
        yield f"rolled back {count} time(s) with {len(records)} rollback record(s)"
    for record in records:
        empty = [name for name in ROLLBACK_FIELDS if not getattr(record, name)]
        if empty:
            yield f"rollback record {record.pk} misses {', '.join(empty)}"


@rule("exit_has_a_reason", "POLICY §4 (reject, cancel: a reason)")
def exit_has_a_reason(s: Subject):
    """A rejected or cancelled change says why."""
    if s.change.state in (State.REJECTED, State.CANCELLED) and not s.change.closing_reason.strip():
        yield f"{s.change.state} without a reason"


# ----- the ledger [POLICY §9] ---------------------------------------------------------------------------

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


# ----- running them ---------------------------------------------------------------------------------------

def _queryset():
    from django.db.models import Prefetch

    from approvals.models import ApprovalSlot

    return (ChangeRequest.objects.select_related("owner", "requester", "team")
            .prefetch_related("services", "configuration_items", "rollbacks",
                              Prefetch("test_evidence", queryset=TestEvidence.objects.order_by("recorded_at", "id")),
                              Prefetch("approval_slots", queryset=ApprovalSlot.objects
                                       .select_related("decided_by", "on_behalf_of").order_by("id")))
            .order_by("id"))


def check_change(subject: Subject, rules: Iterable[Rule] | None = None) -> list[Violation]:
    found = []
    for item in rules or RULES:
        found += [Violation(subject.change.pk, item.name, item.policy, message) for message in item.check(subject)]
    return found


def subjects(change_ids: Iterable[int] | None = None, *, batch_size: int = 500) -> Iterable[Subject]:
    """Every change (or those named), with its ledger entries, in batches of `batch_size`."""
    queryset = _queryset()
    if change_ids is not None:
        queryset = queryset.filter(pk__in=list(change_ids))
    ids = list(queryset.values_list("pk", flat=True))
    for start in range(0, len(ids), batch_size):
        batch = list(queryset.filter(pk__in=ids[start:start + batch_size]))
        entries = defaultdict(list)
        for entry in (LedgerEntry.objects.filter(subject__in=[f"{SUBJECT_PREFIX}{c.pk}" for c in batch])
                      .select_related("actor").order_by("seq")):
            entries[entry.subject].append(entry)
        for change in batch:
            yield Subject(change, entries[f"{SUBJECT_PREFIX}{change.pk}"])


def check_all(change_ids: Iterable[int] | None = None, *, with_ledger: bool = True) -> list[Violation]:
    """Every rule over every change (or those named), then the ledger's own verification."""
    found = []
    for subject in subjects(change_ids):
        found += check_change(subject)
    if with_ledger:
        found += ledger_violations()
    return found


def catalogue() -> list[tuple[str, str, str]]:
    """(name, POLICY reference, summary) of every rule, for the command's listing and the README."""
    return [(r.name, r.policy, r.doc) for r in RULES] + [
        (LEDGER_RULE.name, LEDGER_RULE.policy, ledger_violations.__doc__.strip())]
