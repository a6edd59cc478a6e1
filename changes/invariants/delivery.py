"""The invariants of test, deploy, verify, close, roll back [POLICY §4, §6, §7, §8]: each rule a function
of a Subject yielding messages."""
from datetime import timedelta

from django.utils import timezone

from approvals.choices import SlotStatus
from changemgmt import policy
from changes import gates
from changes.calendar import schedule
from changes.calendar.choices import FreezeKind
from changes.calendar.models import Freeze
from changes.choices import Outcome, State
from changes.invariants.core import PAST_TESTING, SOFT_FREEZE_RULE_PREFIX, Subject, _duration, _emergency, rule


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
