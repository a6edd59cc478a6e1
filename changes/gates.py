"""The gates of POLICY §4: for each transition, every item still missing.

A gate is a pure function of the change (with its prefetched relations), the transition's input and
the time; it returns a list of Missing (empty: the gate holds). The same functions feed the refusal
(HTTP 409 / the page checklist) and the "what does the next step still need" listing.
"""
from datetime import timedelta

from django.utils import timezone

from changemgmt import policy
from changemgmt.errors import Missing
from changes.calendar import schedule
from changes.calendar.choices import FreezeKind
from changes.choices import ChangeType, State, TestResult
from changes.emergency.authorization import authorization_complete
from changes.pipeline.selectors import rollout_completed_at
from changes.risk import FACTORS

REF_FIELDS = "POLICY §4 submit [002 §4.2]"
REQUIRED_TEXT = [
    ("title", "Title"),
    ("description", "Description"),
    ("business_justification", "Business justification"),
    ("impact_systems", "Impact analysis: systems affected"),
    ("impact_users", "Impact analysis: users affected"),
    ("test_plan", "Test plan"),
    ("rollback_plan", "Rollback plan"),
    ("implementation_plan", "Implementation plan"),
]


def _risk_for_schedule(change) -> str:
    return change.risk_level or "low"


def _required_fields(change) -> list[Missing]:
    missing = [Missing(f"field_{name}", f"{label} is required.", REF_FIELDS)
               for name, label in REQUIRED_TEXT if not (getattr(change, name) or "").strip()]
    if not change.planned_start or not change.planned_end:
        missing.append(Missing("field_schedule", "Proposed schedule (planned start and end) is required.", REF_FIELDS))
    if not change.owner_id:
        missing.append(Missing("field_owner", "Change owner is required.", REF_FIELDS))
    if not change.services.all():
        missing.append(Missing("field_services", "Impact analysis: name at least one affected service.", REF_FIELDS))
    if change.change_type == ChangeType.EMERGENCY and not change.emergency_criterion:
        missing.append(Missing("emergency_criterion", "An emergency change must name its emergency criterion.",
                               "POLICY §7 [002 §6]"))
    return missing


def _schedule_items(change, *, lead_from, now) -> list[Missing]:
    """The plan judged at `now`: not in the past, lead time counted from `lead_from`, inside a window
    for the change's risk, outside hard freezes (soft ones: a justification)."""
    if not (change.planned_start and change.planned_end):
        return []
    risk = _risk_for_schedule(change)
    missing = []
    if change.planned_start <= now:
        missing.append(Missing("schedule_past", "The planned start is in the past.", REF_FIELDS))
    missing += schedule.lead_time_violations(change_type=change.change_type, risk=risk,
                                             planned_start=change.planned_start, from_time=lead_from)
    missing += schedule.window_violations(change_type=change.change_type, risk=risk,
                                          start=change.planned_start, end=change.planned_end)
    missing += schedule.freeze_violations(change_type=change.change_type, start=change.planned_start,
                                          end=change.planned_end, service_ids=schedule.effective_service_ids(change),
                                          justification=change.freeze_justification)
    return missing


def risk_schedule_items(change, risk: str) -> list[Missing]:
    """The submit gate's items that depend on the risk level, judged at `risk` for a submitted change:
    the lead time counted from its submission [POLICY §1] and a deployment window for the level
    [POLICY §6]. A level raised in approval can break them, which sends the change back to request
    (changes.services.score_risk); in assessment the assess gate checks them itself."""
    if not (change.submitted_at and change.planned_start and change.planned_end):
        return []
    return (schedule.lead_time_violations(change_type=change.change_type, risk=risk,
                                          planned_start=change.planned_start, from_time=change.submitted_at)
            + schedule.window_violations(change_type=change.change_type, risk=risk, start=change.planned_start,
                                         end=change.planned_end))


def submit_gate(change, data, now) -> list[Missing]:
    return _required_fields(change) + _schedule_items(change, lead_from=now, now=now)


def standing_submit_gate(change, now, *, rescheduled: bool = False) -> list[Missing]:
    """The submit gate as it holds for a change already past submission, judged at `now`: every field,
    the plan not in the past, windows and freezes as of now (a freeze announced since counts). Lead
    time is counted from the submission [POLICY §1: submission → planned start], or from now when the
    plan itself is being changed (a new plan is proposed now)."""
    lead_from = now if rescheduled or not change.submitted_at else change.submitted_at
    return _required_fields(change) + _schedule_items(change, lead_from=lead_from, now=now)


def assess_gate(change, data, now) -> list[Missing]:
    """The scorecard, then the submit gate again at the final risk level (lead time and window for high
    risk differ) and as of now, so an edit during assessment cannot carry a broken plan onwards."""
    ref = "POLICY §2 [002 §3.2-3.3]"
    missing = [Missing(f"risk_{key}", f"Risk scorecard: score “{label}” (1-3).", ref)
               for key, (field, label, _levels) in FACTORS.items() if getattr(change, field) is None]
    if change.risk_override and not change.risk_override_reason.strip():
        missing.append(Missing("risk_override_reason", "A raised risk level needs a written justification.", ref))
    if not missing:
        missing += standing_submit_gate(change, now)
    return missing


def approve_gate(change, data, now) -> list[Missing]:
    slots = [s for s in change.approval_slots.all() if s.status != "superseded"]
    return [Missing(f"approval_{s.role}_{s.ordinal}",
                    f"{s.get_role_display()} approval #{s.ordinal} is {s.get_status_display().lower()} ({s.rule}).",
                    s.policy)
            for s in slots if s.status != "granted"]


def required_tests(change) -> list[str]:
    return policy.get("test_requirements")[change.risk_level or "low"]


def latest_evidence(change) -> dict[str, object]:
    latest = {}
    for evidence in sorted(change.test_evidence.all(), key=lambda e: e.recorded_at):
        latest[evidence.test_type] = evidence
    return latest


def testing_complete_gate(change, data, now) -> list[Missing]:
    """The "test" transition: passing evidence by risk (test_gate), and the submit gate still holding
    as of now, so a plan a freeze caught or whose start passed while testing is rescheduled before the
    change is ready to deploy."""
    return test_gate(change, data, now) + standing_submit_gate(change, now)


def test_gate(change, data, now) -> list[Missing]:
    """Passing evidence, latest run per type, of every type the risk requires."""
    ref = "POLICY §4 test [002 §8.1, §8.3]"
    latest = latest_evidence(change)
    missing = []
    for test_type in required_tests(change):
        evidence = latest.get(test_type)
        if evidence is None:
            missing.append(Missing(f"test_{test_type}", f"Evidence of passing {test_type} tests is required for "
                                   f"{change.risk_level} risk.", ref))
        elif evidence.result != TestResult.PASSED:
            missing.append(Missing(f"test_{test_type}", f"The latest {test_type} test run failed; record a passing "
                                   "run.", ref))
    return missing


def emergency_authorized(change) -> bool:
    """Whether the verbal emergency authorizations policy requires are on record."""

    return authorization_complete(change)


def deploy_gate(change, data, now) -> list[Missing]:
    ref = "POLICY §4 deploy [002 §9.3]"
    missing = []
    if change.state != State.READY:
        if change.change_type != ChangeType.EMERGENCY:
            missing.append(Missing("not_tested", "Only an emergency change may deploy before approval and testing.",
                                   "POLICY §4"))
        elif not emergency_authorized(change):
            missing.append(Missing("emergency_authorization", "Record the verbal emergency authorization before "
                                   "deploying.", "POLICY §7 [002 §6.3]"))
    checklist = data.get("predeploy_checklist", change.predeploy_checklist) or {}
    for item in policy.get("predeploy_checklist"):
        if not checklist.get(item["code"]):
            missing.append(Missing(f"checklist_{item['code']}", f"Pre-deployment checklist: {item['label']}.", ref))
    method = data.get("deployment_method", change.deployment_method)
    if method not in {m["code"] for m in policy.get("deployment_methods")}:
        missing.append(Missing("deployment_method",
                               "Record the deployment method (blue/green, canary, rolling or feature flag).",
                               "POLICY §4 deploy [002 §9.4]"))
    duration = (change.planned_end - change.planned_start) if change.planned_start and change.planned_end \
        else timedelta(minutes=1)
    risk = change.risk_level or "low"
    if change.change_type != ChangeType.EMERGENCY:
        missing += _outside_schedule(change, now, duration)
    # The whole deployment, from now to now + its planned length, not only its first minute.
    missing += schedule.window_violations(change_type=change.change_type, risk=risk, start=now, end=now + duration)
    missing += schedule.freeze_violations(change_type=change.change_type, start=now, end=now + duration,
                                          service_ids=schedule.effective_service_ids(change),
                                          justification=data.get("freeze_justification")
                                          or change.freeze_justification or "")
    missing += _soft_freeze_approval(change, now, now + duration)
    return missing


def _outside_schedule(change, now, duration) -> list[Missing]:
    """Deploy inside the approved schedule (planned start to end, give or take the policy tolerance):
    what the approvers approved, the lead time counted to and the conflict check looked at."""
    if not (change.planned_start and change.planned_end):
        return []
    earliest, latest = schedule.deployable_period(change)
    if earliest <= now and now + duration <= latest:
        return []
    minutes = int(schedule.deploy_tolerance().total_seconds() // 60)
    return [Missing("outside_schedule",
                    f"The approved schedule is {timezone.localtime(change.planned_start):%a %Y-%m-%d %H:%M}-"
                    f"{timezone.localtime(change.planned_end):%H:%M} (give or take {minutes} min): deploy then, "
                    "or reschedule the change first.", "POLICY §4 deploy, §1 lead time")]


def _soft_freeze_approval(change, start, end) -> list[Missing]:
    """A deployment in a soft freeze needs the extra approval as well as the justification [POLICY §6],
    even when the planned period missed the freeze (a freeze announced later): rescheduling asks for it."""
    if change.change_type == ChangeType.EMERGENCY:
        return []
    soft = [p for p in schedule.freezes_between(start, end, schedule.effective_service_ids(change))
            if p.kind == FreezeKind.SOFT]
    granted = any(slot.status == "granted" and slot.rule.startswith(schedule.SOFT_FREEZE_RULE_PREFIX)
                  for slot in change.approval_slots.all())
    if not soft or granted:
        return []
    return [Missing("soft_freeze_approval", f"Soft freeze “{soft[0].name}” needs one extra approval before a "
                    "deployment inside it: reschedule the change so the approval is asked for.", schedule.REF_FREEZES)]


def verify_gate(change, data, now) -> list[Missing]:
    ref = "POLICY §4 verify [002 §8.4]"
    checks = data.get("verification_checks", change.verification_checks) or {}
    missing = [Missing(f"verify_{item['code']}", f"Production validation: {item['label']}.", ref)
               for item in policy.get("verification_checks") if not checks.get(item["code"])]
    minutes = policy.get("monitoring_minutes")[change.risk_level or "low"]
    deployed_at = change.deployed_at
    reported, completed_at = rollout_completed_at(change)
    if reported and completed_at is None:
        missing.append(Missing("rollout_incomplete", "The pipeline's rollout has not reached 100 % healthy yet.",
                               "POLICY §10 deployment reports"))
    elif reported:
        deployed_at = completed_at  # a progressive rollout is deployed once it serves all traffic
    if deployed_at and now < deployed_at + timedelta(minutes=minutes):
        remaining = deployed_at + timedelta(minutes=minutes) - now
        missing.append(Missing("monitoring_period",
                               f"Monitor for at least {minutes} minutes after deployment "
                               f"({int(remaining.total_seconds() // 60) + 1} min left).",
                               "POLICY §4 verify [004 §4.6]"))
    return missing


def close_gate(change, data, now) -> list[Missing]:
    ref = "POLICY §4 close [001]"
    missing = []
    outcome = data.get("outcome", change.outcome)
    if not outcome:
        missing.append(Missing("outcome", "Record the outcome (successful, failed or rolled back).", ref))
    elif change.state == State.ROLLED_BACK and outcome != "rolled_back":
        missing.append(Missing("outcome", "A rolled-back change closes with the outcome “rolled back”.", ref))
    elif change.state != State.ROLLED_BACK and outcome == "rolled_back":
        missing.append(Missing("outcome", "Only a rolled-back change closes with the outcome “rolled back”: record "
                               "the rollback first (POLICY §8).", ref))
    answers = data.get("review_answers", change.review_answers) or {}
    for item in policy.get("review_items"):
        if item["code"] not in answers:
            missing.append(Missing(f"review_{item['code']}", f"Post-implementation review: {item['label']}?", ref))
    if not (data.get("lessons_learned", change.lessons_learned) or "").strip():
        missing.append(Missing("review_lessons_learned", "Post-implementation review: lessons learned.", ref))
    return missing


def reason_gate(change, data, now) -> list[Missing]:
    if not (data.get("reason") or "").strip():
        return [Missing("reason", "Give a reason.", "POLICY §4")]
    return []


def roll_back_gate(change, data, now) -> list[Missing]:
    ref = "POLICY §8 [002 §10]"
    labels = {"severity": "severity", "trigger": "trigger", "kind": "rollback kind", "decided_at": "time of decision",
              "reason": "reason", "steps_executed": "steps executed", "completed_at": "time completed",
              "impact": "impact", "root_cause": "root cause", "preventive_measures": "preventive measures"}
    return [Missing(f"rollback_{name}", f"Rollback record: {label}.", ref) for name, label in labels.items()
            if not data.get(name)]
