"""What the change page shows, as finished rows: the gate checklist of each transition the user may
run, the approval rows, the test chips, the conflicts, the records and the timeline. The view parses
and renders; the template only formats. Everything here reads what `selectors.change_page` loaded (in one
query), plus a fixed number of queries whatever the row count."""
from dataclasses import dataclass, field

from django import forms
from django.utils import timezone

from approvals.choices import SlotStatus
from approvals.presenters import slot_clocks
from approvals.rules import may_decide
from changemgmt import policy
from changemgmt.errors import Missing
from changemgmt.templatetags.cm_format import local
from changemgmt.web import timeline
from changes import gates, rules, selectors, services
from changes.calendar import openings
from changes.choices import PIPELINE, ChangeType, State, TestResult
from changes.emergency.panel import panel_context
from changes.forms import RiskForm, TestEvidenceForm
from changes.models import ChangeRequest
from changes.pipeline import selectors as pipeline_selectors
from changes.risk import FACTORS
from changes.transitions import TRANSITIONS

# Side exits, offered apart from the next step of the belt; they need no checklist up front.
SIDE_ACTIONS = ("hold", "reject", "cancel", "roll_back")
# States in which the change left the belt: the page says so above everything else.
EXITED_STATES = (State.REJECTED, State.CANCELLED, State.ROLLED_BACK)
# The progress bar names steps (request → … → close); the state badge names the state (changes.choices).
STEP_LABELS = {State.DRAFT: "Request", State.ASSESSMENT: "Assess", State.APPROVAL: "Approve",
               State.TESTING: "Test", State.READY: "Deploy", State.DEPLOYED: "Verify", State.VERIFIED: "Close",
               State.CLOSED: "Closed"}
# Gate items a new plan can cure: a refusal naming one of them is answered with the next openings.
SCHEDULE_CODES = frozenset({"schedule_past", "lead_time", "outside_window", "hard_freeze", "soft_freeze_justification",
                            "outside_schedule", "soft_freeze_approval"})
# Refusals that offer the next openings with one-click reschedule.
RESCHEDULE_AFTER = ("submit", "deploy")
# Transitions the system takes by itself: the page explains instead of offering a button.
AUTOMATIC = {"approve": "No button needed: the change moves on by itself when the last required approval is granted."}


@dataclass
class Step:
    """One transition as the page shows it: its gate checklist and, if the user may act, its form."""

    name: str
    label: str
    danger: bool
    allowed: bool
    missing: list[Missing] = field(default_factory=list)
    form: forms.Form | None = None
    refused: bool = False
    error: str = ""
    openings: list = field(default_factory=list)  # OpeningRow: where a refused plan could move
    automatic: str = ""  # why there is no button: the system takes this step itself

    @property
    def has_input(self) -> bool:
        return bool(self.form is not None and self.form.fields)


def posted_step(name: str, form: forms.Form, *, missing=(), refused=False, error="") -> Step:
    """The step a refused or invalid post comes back with: its bound form and what was wrong."""
    spec = TRANSITIONS[name]
    return Step(name, spec.label, spec.danger or name in SIDE_ACTIONS, True, list(missing), form,
                refused=refused, error=error)


# What a screen reader hears for each status of a progress-bar step.
SPOKEN = {"done": "done", "current": "current", "exited": "not reached", "todo": "to do"}


@dataclass
class PipelineStep:
    """One step of the progress bar: its label, status (done/current/todo/exited, the CSS class)
    and what a screen reader says for it."""

    label: str
    status: str

    @property
    def current(self) -> bool:
        return self.status == "current"

    @property
    def spoken(self) -> str:
        return SPOKEN[self.status]


def pipeline(change) -> list[PipelineStep]:
    """The conveyor belt for the progress bar.

    A change that left the belt (rejected, cancelled, rolled back) shows the steps it reached, from
    the timestamps the services stamp on each transition."""
    state = change.state
    if state in PIPELINE:
        current = PIPELINE.index(state)
        return [PipelineStep(STEP_LABELS[step],
                             "done" if i < current or state == State.CLOSED else "current" if i == current
                             else "todo")
                for i, step in enumerate(PIPELINE)]
    reached = 0
    for index, stamp in ((1, change.submitted_at), (3, change.approved_at), (5, change.deployed_at),
                         (6, change.verified_at)):
        if stamp:
            reached = index
    return [PipelineStep(STEP_LABELS[step], "done" if i <= reached else "exited") for i, step in enumerate(PIPELINE)]


@dataclass
class SlotRow:
    """One approval slot in the change page's one approvals table: whether this user may decide it here,
    its SLA clock badge (label, colour; empty for a decided or superseded slot) and its history."""

    slot: object
    may: bool
    pending: bool
    badge: tuple = ("", "")
    history: list = field(default_factory=list)


@dataclass
class OpeningRow:
    """A free time the change could move to (changes.calendar.openings), ready for the reschedule form."""

    start: str  # ISO 8601, posted back as the new plan
    end: str
    label: str  # in organisation time


@dataclass
class TestChip:
    """One required test type and its latest evidence (None: not yet recorded)."""

    test_type: str
    evidence: object
    passed: bool


@dataclass
class EvidenceRow:
    evidence: object
    passed: bool


@dataclass
class ConflictRow:
    """One schedule conflict as the change page shows it, seen from this change [POLICY §6]."""

    other_pk: int
    reference: str
    title: str
    owner: str
    overlap_start: object
    overlap_end: object
    services: list[str]
    items: list[str]


def _offered(change, name) -> bool:
    """Deploying before approval and testing is the emergency path; other changes don't see it early."""
    return not (name == "deploy" and change.state != State.READY and change.change_type != ChangeType.EMERGENCY)


def steps(user, change, posted: Step | None) -> tuple[list[Step], list[Step]]:
    """(next steps of the belt, side exits the user may take), each with its checklist and form."""
    forward, side = [], []
    for name in services.available_transitions(change):
        if not _offered(change, name):
            continue
        if posted is not None and posted.name == name:
            step = posted
        elif name in AUTOMATIC:
            step = Step(name, "Approval", False, False, services.transition_missing(change, name),
                        automatic=AUTOMATIC[name])
        else:
            spec = TRANSITIONS[name]
            allowed = rules.can_transition(user, change, name)
            step = Step(name, spec.label, spec.danger or name in SIDE_ACTIONS, allowed,
                        [] if name in SIDE_ACTIONS else services.transition_missing(change, name),
                        spec.form(auto_id=f"id_{name}_%s") if allowed else None)
        if name not in SIDE_ACTIONS:
            forward.append(step)
        elif step.allowed:
            side.append(step)
    return forward, side


def risk_form(user, change, bound=None):
    """The scorecard form with only the fields this user may fill, or None."""
    if not rules.can_score_risk(user, change):
        return None
    form = bound or RiskForm(initial={**{key: getattr(change, f) for key, (f, _l, _v) in FACTORS.items()},
                                      "override": change.risk_override,
                                      "override_reason": change.risk_override_reason}, auto_id="id_risk_%s")
    if not rules.can_override_risk(user, change):
        form.fields.pop("override")
        form.fields.pop("override_reason")
    if not rules.can_withdraw_raise(user, change):
        form.fields.pop("withdraw_raise")
        form.fields.pop("withdraw_reason")
    return form


def slot_rows(user, slots, now, sla_steps) -> list[SlotRow]:
    """Every slot with its decision form (if this user may decide), SLA clock and history, in one table."""
    live = [s for s in slots if s.status != SlotStatus.SUPERSEDED]
    clocks = {row["slot"].pk: row for row in slot_clocks(slots, now, sla_steps)}
    may = rules.can_write(user)
    rows = []
    for slot in slots:
        clock = clocks.get(slot.pk, {})
        rows.append(SlotRow(slot, may and slot.status == SlotStatus.PENDING and may_decide(user, slot, siblings=live),
                            slot.status == SlotStatus.PENDING, tuple(clock.get("badge") or ("", "")),
                            clock.get("history", [])))
    return rows


def _opening_label(start, end) -> str:
    return f"{local(start)} – {timezone.localtime(end):%H:%M}"


def openings_after_refusal(user, change, step: Step | None) -> list[OpeningRow]:
    """The next openings after a submit or deploy refused for its schedule, for a user who may
    reschedule: one click moves the plan there through the reschedule service, which checks it all again."""
    if (step is None or not step.refused or step.name not in RESCHEDULE_AFTER
            or not any(item.code in SCHEDULE_CODES for item in step.missing)
            or not rules.can_reschedule(user, change)):
        return []
    return [OpeningRow(o.start.isoformat(), o.end.isoformat(), _opening_label(o.start, o.end))
            for o in openings.next_openings(change=change)]


def test_chips(change) -> list[TestChip]:
    latest = gates.latest_evidence(change)
    return [TestChip(test_type, latest.get(test_type),
                     latest.get(test_type) is not None and latest[test_type].result == TestResult.PASSED)
            for test_type in gates.required_tests(change)]


def conflict_rows(lines) -> list[ConflictRow]:
    """The change's stored conflicts (selectors.ConflictLine), the other side of each with its owner."""
    return [ConflictRow(line.other_pk, ChangeRequest(pk=line.other_pk).reference, line.other_title, line.other_owner,
                        line.overlap_start, line.overlap_end, list(line.shared.get("services", [])),
                        list(line.shared.get("items", [])))
            for line in lines]


def records(change) -> list[tuple[str, list[tuple[str, str]]]]:
    """What deployment, verification, close and roll-back recorded, with policy labels."""
    found = []
    if change.deployed_at:
        checklist = policy.labels("predeploy_checklist")
        found.append(("Deployment", [
            ("Deployed", local(change.deployed_at)),
            ("Method", policy.labels("deployment_methods").get(change.deployment_method, change.deployment_method)),
            ("Pre-deployment checklist", "\n".join(f"✓ {checklist.get(code, code)}"
                                                    for code, done in change.predeploy_checklist.items() if done)),
        ]))
    if change.verified_at:
        checks = policy.labels("verification_checks")
        found.append(("Verification", [
            ("Verified", local(change.verified_at)),
            ("Production validation", "\n".join(f"✓ {checks.get(code, code)}"
                                                 for code, done in change.verification_checks.items() if done)),
        ]))
    for rollback in change.rollbacks.all():
        found.append(("Rollback", [
            ("Severity", rollback.get_severity_display()), ("Kind", rollback.get_kind_display()),
            ("Trigger", policy.labels("rollback_triggers").get(rollback.trigger, rollback.trigger)),
            ("Decided", local(rollback.decided_at)), ("Completed", local(rollback.completed_at)),
            ("Time to complete", f"{rollback.minutes_to_complete} min"), ("Reason", rollback.reason),
            ("Steps executed", rollback.steps_executed), ("Impact", rollback.impact),
            ("Root cause", rollback.root_cause), ("Preventive measures", rollback.preventive_measures),
            ("Automatic", "yes, reported by a pipeline" if rollback.automatic else "no"),
        ]))
    if change.outcome:
        items = policy.labels("review_items")
        found.append(("Outcome and review", [
            ("Outcome", change.get_outcome_display()),
            *[(items.get(code, code), "Yes" if answer else "No") for code, answer in change.review_answers.items()],
            ("Lessons learned", change.lessons_learned),
        ]))
    return found


def fold_state(change, *, rows, conflicts, risk_form, evidence_form) -> dict[str, bool]:
    """Which of the page's folding sections start open: those the change's state asks about now (the
    plan while it is a draft, the scorecard while it can be scored, approvals while one is pending, the
    evidence while testing, conflicts when there are some); the rest stay one line each."""
    state = change.state
    return {
        "details": state == State.DRAFT,
        "risk": bool(risk_form is not None and (risk_form.errors or not change.risk_total)),
        "approvals": any(row.pending for row in rows),
        "tests": state == State.TESTING or bool(evidence_form is not None and evidence_form.errors),
        "conflicts": bool(conflicts),
        "rollout": state == State.DEPLOYED,
        "records": state in EXITED_STATES or state in (State.DEPLOYED, State.VERIFIED, State.CLOSED),
        "timeline": False,
    }


def detail_context(user, page: selectors.ChangePage, *, posted: Step | None = None, bound_risk_form=None,
                   evidence_form=None) -> dict:
    """Everything the change page renders, as finished rows and booleans."""
    change = page.change
    forward, side = steps(user, change, posted)
    slots = list(change.approval_slots.all())
    rows = slot_rows(user, slots, timezone.now(), page.sla_steps)
    conflict_list = conflict_rows(page.conflicts)
    is_emergency = change.change_type == ChangeType.EMERGENCY
    bound_risk = risk_form(user, change, bound_risk_form)
    return {
        "open": fold_state(change, rows=rows, conflicts=conflict_list, risk_form=bound_risk,
                           evidence_form=evidence_form),
        "change": change, "forward": forward, "side": side, "posted": posted, "pipeline": pipeline(change),
        "exited": change.state in EXITED_STATES,
        "is_standard": change.change_type == ChangeType.STANDARD,
        "can_edit": rules.can_edit(user, change),
        "risk_form": bound_risk,
        "factors": [(label, getattr(change, f), levels) for _k, (f, label, levels) in FACTORS.items()],
        "slots": rows,
        "emergency": panel_context(change, user) if is_emergency else None,
        "tests": test_chips(change),
        "evidence_rows": [EvidenceRow(e, e.result == TestResult.PASSED) for e in change.test_evidence.all()],
        "evidence_form": ((evidence_form or TestEvidenceForm(auto_id="id_evidence_%s"))
                          if rules.can_record_evidence(user, change) else None),
        "timeline": timeline.build(change, page.ledger, page.history),
        "records": records(change),
        "conflicts": conflict_list,
        # A rollout's first report deploys the change (pipeline.services.reports): none before that.
        "rollout": pipeline_selectors.rollout_of(change) if change.deployed_at else [],
        "security_triggers": [policy.labels("security_triggers").get(code, code) for code in change.security_triggers],
        "emergency_criterion": policy.labels("emergency_criteria").get(change.emergency_criterion,
                                                                        change.emergency_criterion),
    }
