"""The dry run of a policy edit or pack: what it would do to open changes, writing nothing.

Each open change (submitted and not yet deployed: assessment, approval, testing, ready) is judged twice
with the same functions the services use — once under the stored policy, once under the proposed one
(changemgmt.policy.proposed, for this thread only): its final risk level from its scorecard
(changes.risk), the approval slots it needs (approvals.matrix.required_slots, with the soft-freeze extra
approval of changes.calendar.schedule), the risk-dependent schedule items of the submit gate (lead time
from submission, a deployment window for the level: changes.gates.risk_schedule_items), and the freezes
its plan hits (changes.calendar.schedule.freeze_violations). A change appears when the proposal adds
something: more approvals, a schedule item it would miss (outside a window, lead time), or a hard freeze
that would hold it (a ready change goes back to testing when a freeze catches it).
"""
from collections import Counter
from dataclasses import dataclass, field

from approvals.choices import SlotRole
from approvals.matrix import required_slots
from changemgmt import policy, policy_services
from changes import gates, risk
from changes.calendar import schedule
from changes.choices import State
from changes.models import ChangeRequest

OPEN = [State.ASSESSMENT, State.APPROVAL, State.TESTING, State.READY]
HELD_CODES = {"hard_freeze"}


@dataclass
class Effect:
    change_id: int
    reference: str
    title: str
    state: str
    risk_before: str
    risk_after: str
    more_approvals: list[str] = field(default_factory=list)
    fewer_approvals: list[str] = field(default_factory=list)
    outside_schedule: list[str] = field(default_factory=list)
    held: list[str] = field(default_factory=list)

    @property
    def affected(self) -> bool:
        return bool(self.more_approvals or self.fewer_approvals or self.outside_schedule or self.held
                    or self.risk_before != self.risk_after)


@dataclass
class DryRun:
    open_changes: int
    effects: list[Effect]

    @property
    def needing_more_approvals(self) -> list[Effect]:
        return [e for e in self.effects if e.more_approvals]

    @property
    def outside_windows(self) -> list[Effect]:
        return [e for e in self.effects if e.outside_schedule]

    @property
    def held(self) -> list[Effect]:
        return [e for e in self.effects if e.held]


def _level(change) -> str:
    scores = change.risk_scores
    if None in scores.values():
        return change.risk_level or "low"
    return risk.final_level(risk.band(scores), change.risk_override)


def _judge(change) -> tuple[str, Counter, list[str], list[str]]:
    level = _level(change)
    slots = Counter(spec.role for spec in required_slots(
        risk_level=level, category=change.category, security_triggers=change.security_triggers,
        extra=change.extra_approvals()))
    items = gates.risk_schedule_items(change, level)
    freezes = (schedule.freeze_violations(change_type=change.change_type, start=change.planned_start,
                                          end=change.planned_end, service_ids=schedule.effective_service_ids(change),
                                          justification=change.freeze_justification)
               if change.planned_start and change.planned_end else [])
    return (level, slots, [item.message for item in items],
            [item.message for item in freezes if item.code in HELD_CODES])


def _roles(counter: Counter) -> list[str]:
    return [f"{SlotRole(role).label}" + (f" ×{count}" if count > 1 else "") for role, count in counter.items()]


def dry_run(settings: dict) -> DryRun:
    """What `settings` (some or all policy keys) would do to the open changes; writes nothing."""
    changes = list(ChangeRequest.objects.filter(state__in=OPEN).prefetch_related("services", "configuration_items")
                   .order_by("planned_start", "id"))
    effects = []
    for change in changes:
        before = _judge(change)
        with policy.proposed(settings):
            try:
                after = _judge(change)
            except ValueError as problem:  # a proposal the schema would refuse: shown, not raised
                after = (before[0], before[1], [*before[2], str(problem)], before[3])
        effect = Effect(change.pk, change.reference, change.title, change.state, before[0], after[0],
                        more_approvals=_roles(after[1] - before[1]), fewer_approvals=_roles(before[1] - after[1]),
                        outside_schedule=[m for m in after[2] if m not in before[2]],
                        held=[m for m in after[3] if m not in before[3]])
        if effect.affected:
            effects.append(effect)
    return DryRun(len(changes), effects)


@dataclass
class Preview:
    """What importing a pack (or applying an edit) would do: the revision it was judged at, the diff,
    every value the schema would refuse, and — when none is refused — the dry run."""

    revision: int
    diff: list[dict]
    problems: list[str]
    dry_run: DryRun | None


def preview(settings: dict) -> Preview:
    from changemgmt import policy_pack

    changes = policy_pack.diff(settings)
    changed = {row["key"]: row["to"] for row in changes}
    problems = policy_services.problems_with(changed)
    return Preview(policy.current_revision(), changes, problems, None if problems else dry_run(changed))
