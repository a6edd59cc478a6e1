"""Issue 9 §1: a change deploys inside its approved schedule (give or take the policy tolerance) or is
rescheduled first; rescheduling re-runs the schedule checks and, where the plan decides an approval,
asks for it; the deploy-time checks cover the whole deployment; "7 days" of lead time are calendar
days; "rolled back" closes only rolled-back changes."""
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from changemgmt import policy, policy_services
from changemgmt.errors import GateRefused
from changemgmt.models import LedgerEntry
from changes import services
from changes.calendar import schedule
from changes.calendar.models import Freeze
from changes.choices import State
from tests.support import factories as f
from tests.support import lifecycle as life
from tests.support.api import authenticated

NY = f.NY
DEPLOY = {"predeploy_checklist": life.ALL_CHECKLIST, "deployment_method": "canary"}


def codes(refusal) -> set[str]:
    return {m.code for m in refusal.value.missing}


def deploy(change, actor, **extra):
    return services.run_transition(change_id=change.pk, name="deploy", actor=actor, data={**DEPLOY, **extra})


def plan(start: datetime, hours: float = 1) -> dict:
    return {"planned_start": start, "planned_end": start + timedelta(hours=hours), "reason": "Vendor slipped a day"}


# Deploy inside the approved schedule

def test_a_change_cannot_deploy_a_week_before_its_planned_start(frozen, requester, peer, peer2, manager):
    """Seen: medium risk, submitted Monday 12:00 for next Tuesday, deployed the next morning."""
    change = life.ready(requester, [peer, peer2, manager], scores=f.MEDIUM_RISK)
    frozen.move_to(datetime.combine((f.NOW + timedelta(days=1)).date(), datetime.min.time(), tzinfo=NY)
                   + timedelta(hours=6, minutes=15))
    with pytest.raises(GateRefused) as refusal:
        deploy(change, requester)
    assert codes(refusal) == {"outside_schedule"}
    assert f.reload(change).state == State.READY


def test_the_api_refuses_an_early_deployment_with_409(frozen, requester, peer, peer2):
    change = life.ready(requester, [peer, peer2])
    frozen.move_to(f.PLANNED_START - timedelta(days=1))
    response = authenticated(requester).post(f"/api/changes/{change.pk}/transitions/deploy/", DEPLOY, format="json")
    assert response.status_code == 409
    assert "outside_schedule" in [m["code"] for m in response.json()["missing"]]


def test_a_deployment_may_start_within_the_policy_tolerance(frozen, requester, peer, peer2):
    change = life.ready(requester, [peer, peer2])
    frozen.move_to(f.PLANNED_START + timedelta(minutes=35))
    with pytest.raises(GateRefused) as refusal:
        deploy(change, requester)
    assert codes(refusal) == {"outside_schedule"}
    frozen.move_to(f.PLANNED_START + timedelta(minutes=25))
    assert deploy(change, requester).state == State.DEPLOYED


def test_the_tolerance_is_policy(frozen, requester, peer, peer2, admin_user):
    change = life.ready(requester, [peer, peer2])
    policy_services.update_setting(key="deploy_schedule_tolerance_minutes", value=60, actor=admin_user)
    frozen.move_to(f.PLANNED_START + timedelta(minutes=50))
    assert deploy(change, requester).state == State.DEPLOYED


# Reschedule

def test_a_rescheduled_change_deploys_at_its_new_time(frozen, requester, peer, peer2):
    change = life.ready(requester, [peer, peer2])
    saved = services.reschedule(change_id=change.pk, actor=requester, **plan(f.PLANNED_START + timedelta(days=1)))
    assert saved.change.state == State.READY and saved.notices == []
    entry = LedgerEntry.objects.get(action="change.rescheduled")
    assert entry.payload["reason"] == "Vendor slipped a day"
    frozen.move_to(f.DEPLOY_TIME)
    with pytest.raises(GateRefused):
        deploy(change, requester)
    frozen.move_to(f.DEPLOY_TIME + timedelta(days=1))
    assert deploy(change, requester).state == State.DEPLOYED


def test_rescheduling_reruns_lead_time_window_and_freeze_checks_and_writes_nothing_when_refused(frozen, requester):
    change = life.submitted(requester)
    services.score_risk(change_id=change.pk, actor=requester, data=f.MEDIUM_RISK)
    entries = LedgerEntry.objects.count()
    tomorrow = datetime.combine((f.NOW + timedelta(days=1)).date(), datetime.min.time(), tzinfo=NY)
    cases = [
        (tomorrow + timedelta(hours=6), "lead_time"),  # 18 h ahead; medium risk needs 24 h
        (f.PLANNED_START + timedelta(days=3, hours=2), "outside_window"),  # a Friday
        (datetime(2026, 12, 29, 6, 0, tzinfo=NY), "hard_freeze"),  # end of quarter
        (f.NOW - timedelta(hours=2), "schedule_past"),
    ]
    for start, code in cases:
        with pytest.raises(GateRefused) as refusal:
            services.reschedule(change_id=change.pk, actor=requester, **plan(start))
        assert code in codes(refusal), (start, code)
    assert f.reload(change).planned_start == f.PLANNED_START and LedgerEntry.objects.count() == entries


def test_rescheduling_into_a_soft_freeze_sends_an_approved_change_back_for_its_extra_approval(
        frozen, requester, peer, peer2, manager):
    change = life.ready(requester, [peer, peer2], freeze_justification="Month-end billing fix")
    month_end = datetime.combine((f.PLANNED_START - timedelta(days=1)).date(), datetime.min.time(), tzinfo=NY)
    assert month_end.day == 30  # Monday 30 November: the end-of-month soft freeze
    saved = services.reschedule(change_id=change.pk, actor=requester, **plan(month_end + timedelta(hours=6)))
    assert saved.change.state == State.APPROVAL and "needs approval again" in saved.notices[0]
    [slot] = change.approval_slots.filter(status="pending")
    assert slot.role == "manager" and slot.rule.startswith("Soft freeze")
    assert life.grant_all(saved.change, [manager]).state == State.TESTING


def test_reschedule_over_the_api(frozen, requester, peer, peer2, auditor):
    change = life.ready(requester, [peer, peer2])
    url = f"/api/changes/{change.pk}/reschedule/"
    new_start = f.PLANNED_START + timedelta(days=1)
    body = {"planned_start": new_start.isoformat(), "planned_end": (new_start + timedelta(hours=1)).isoformat(),
            "reason": "Vendor slipped a day"}
    assert authenticated(auditor).post(url, body, format="json").status_code == 403
    assert authenticated(requester).post(url, {**body, "reason": ""}, format="json").status_code == 400
    assert authenticated(requester).post(url, {**body, "planned_start": 5}, format="json").status_code == 400
    late = (f.PLANNED_START + timedelta(days=3)).isoformat()  # a Friday
    refused = authenticated(requester).post(url, {**body, "planned_start": late,
                                                  "planned_end": (f.PLANNED_START + timedelta(days=3, hours=1))
                                                  .isoformat()}, format="json")
    assert refused.status_code == 409 and refused.json()["transition"] == "reschedule"
    response = authenticated(requester).post(url, body, format="json")
    assert response.status_code == 200, response.json()
    assert f.reload(change).planned_start == new_start
    assert authenticated(requester).post("/api/changes/999999/reschedule/", body, format="json").status_code == 404


def test_only_people_in_charge_may_reschedule_and_only_before_deployment(frozen, requester, peer, peer2):
    change = life.ready(requester, [peer, peer2])
    with pytest.raises(PermissionDenied):
        services.reschedule(change_id=change.pk, actor=peer, **plan(f.PLANNED_START + timedelta(days=1)))
    with pytest.raises(ValidationError):
        services.reschedule(change_id=change.pk, actor=requester, planned_start=f.PLANNED_START,
                            planned_end=f.PLANNED_END, reason="")


# The whole deployment

def test_a_deployment_that_would_run_past_the_window_is_refused(frozen, requester, peer, peer2):
    """Seen: a deployment at 09:59 passed whatever its length. Planned 09:00-10:00, started 09:25."""
    start = f.PLANNED_START.replace(hour=9)
    change = life.ready(requester, [peer, peer2], planned_start=start.isoformat(),
                        planned_end=(start + timedelta(hours=1)).isoformat())
    frozen.move_to(start + timedelta(minutes=25))
    with pytest.raises(GateRefused) as refusal:
        deploy(change, requester)
    assert codes(refusal) == {"outside_window"}
    frozen.move_to(start)
    assert deploy(change, requester).state == State.DEPLOYED


def test_a_deployment_inside_a_soft_freeze_gets_its_extra_approval(frozen, requester, peer, peer2, manager):
    """The planned period missed the freeze (announced later, starting after the planned end); a
    deployment that runs into it needs the extra approval, not only the justification. Rescheduling
    asks for it."""
    change = life.ready(requester, [peer, peer2], freeze_justification="Fix must land before the event")
    Freeze.objects.create(name="Investor days", reason="Peak traffic", kind="soft",
                          starts_at=f.PLANNED_END + timedelta(minutes=10),
                          ends_at=f.PLANNED_END + timedelta(days=2, hours=3))
    frozen.move_to(f.PLANNED_START + timedelta(minutes=25))
    with pytest.raises(GateRefused) as refusal:
        deploy(change, requester)
    assert codes(refusal) == {"soft_freeze_approval"}
    thursday = f.PLANNED_START + timedelta(days=2)
    saved = services.reschedule(change_id=change.pk, actor=requester, **plan(thursday))
    assert saved.change.state == State.APPROVAL
    change = life.grant_all(saved.change, [manager])
    services.run_transition(change_id=change.pk, name="test", actor=requester)
    frozen.move_to(thursday + timedelta(minutes=15))
    assert deploy(change, requester).state == State.DEPLOYED


# Lead time in calendar days

def test_seven_days_across_the_march_clock_change_are_calendar_days(frozen, requester):
    submitted = datetime(2027, 3, 9, 6, 0, tzinfo=NY)
    week_later = datetime(2027, 3, 16, 6, 0, tzinfo=NY)
    assert week_later.astimezone(UTC) - submitted.astimezone(UTC) == timedelta(hours=167)
    assert schedule.lead_time_violations(change_type="normal", risk="high", planned_start=week_later,
                                         from_time=submitted) == []
    [missing] = schedule.lead_time_violations(change_type="normal", risk="high",
                                              planned_start=week_later - timedelta(minutes=1), from_time=submitted)
    assert "7 days" in missing.message and "2027-03-16 06:00" in missing.message


def test_twenty_four_hours_stay_hours_across_the_clock_change(frozen, db):
    saturday = datetime(2027, 3, 13, 6, 0, tzinfo=NY)
    sunday = datetime(2027, 3, 14, 6, 0, tzinfo=NY)  # 23 h later
    assert [m.code for m in schedule.lead_time_violations(change_type="normal", risk="low", planned_start=sunday,
                                                          from_time=saturday)] == ["lead_time"]


def test_a_high_risk_change_planned_a_calendar_week_ahead_across_the_clock_change_is_assessed(frozen, requester):
    frozen.move_to(datetime(2027, 3, 9, 5, 30, tzinfo=NY))
    start = datetime(2027, 3, 16, 6, 0, tzinfo=NY)  # 167.5 h ahead
    change = services.create_change(actor=requester, data=f.complete_fields(
        planned_start=start.isoformat(), planned_end=(start + timedelta(hours=1)).isoformat()))
    services.run_transition(change_id=change.pk, name="submit", actor=requester)
    services.score_risk(change_id=change.pk, actor=requester, data=f.HIGH_RISK)
    assert services.run_transition(change_id=change.pk, name="assess", actor=requester).state == State.APPROVAL


# Close with "rolled back" only after a rollback

def verified(requester, approvers, frozen):
    change = life.deployed(requester, approvers, frozen)
    frozen.move_to(f.DEPLOY_TIME + timedelta(minutes=31))
    return services.run_transition(change_id=change.pk, name="verify", actor=requester,
                                   data={"verification_checks": life.ALL_CHECKS})


def test_a_change_that_was_not_rolled_back_cannot_close_as_rolled_back(frozen, requester, peer, peer2):
    change = verified(requester, [peer, peer2], frozen)
    close = {"outcome": "rolled_back", "review_answers": life.ALL_REVIEW, "lessons_learned": "None."}
    with pytest.raises(GateRefused) as refusal:
        services.run_transition(change_id=change.pk, name="close", actor=requester, data=close)
    assert codes(refusal) == {"outcome"}
    response = authenticated(requester).post(f"/api/changes/{change.pk}/transitions/close/", close, format="json")
    assert response.status_code == 409
    closed = services.run_transition(change_id=change.pk, name="close", actor=requester,
                                     data={**close, "outcome": "successful"})
    assert closed.state == State.CLOSED


def rollback_record(**extra) -> dict:
    return {"severity": "high", "trigger": "error_rate", "kind": "application",
            "decided_at": (f.DEPLOY_TIME + timedelta(minutes=5)).isoformat(),
            "completed_at": (f.DEPLOY_TIME + timedelta(minutes=12)).isoformat(), "reason": "5xx doubled",
            "steps_executed": "Redeployed v2.2", "impact": "Refunds failed 7 min", "root_cause": "Rounding bug",
            "preventive_measures": "Property test for rounding", **extra}


def test_a_rolled_back_change_closes_only_as_rolled_back(frozen, requester, peer, peer2):
    change = life.deployed(requester, [peer, peer2], frozen)
    trigger = policy.get("rollback_triggers")[0]["code"]
    services.run_transition(change_id=change.pk, name="roll_back", actor=requester,
                            data=rollback_record(trigger=trigger))
    close = {"outcome": "successful", "review_answers": life.ALL_REVIEW, "lessons_learned": "Test rounding."}
    with pytest.raises(GateRefused):
        services.run_transition(change_id=change.pk, name="close", actor=requester, data=close)
    closed = services.run_transition(change_id=change.pk, name="close", actor=requester,
                                     data={**close, "outcome": "rolled_back"})
    assert closed.state == State.CLOSED


def test_a_pipeline_records_an_automatic_rollback_and_the_change_shows_it(frozen, client, requester, peer, peer2):
    change = life.deployed(requester, [peer, peer2], frozen)
    trigger = policy.get("rollback_triggers")[0]["code"]
    response = authenticated(requester).post(f"/api/changes/{change.pk}/transitions/roll_back/",
                                             rollback_record(trigger=trigger, automatic=True), format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["rollbacks"][0]["automatic"] is True
    entry = LedgerEntry.objects.get(action="change.roll_back")
    assert entry.payload["input"]["automatic"] is True
    client.force_login(requester)
    assert "reported by a pipeline" in client.get(f"/changes/{change.pk}/").content.decode()


def test_rescheduling_onto_another_change_recomputes_the_conflicts(frozen, requester):
    from changes.calendar.models import ChangeConflict

    first = life.submitted(requester)
    later = f.PLANNED_START + timedelta(days=1)
    second = life.submitted(requester, planned_start=later.isoformat(),
                            planned_end=(later + timedelta(hours=1)).isoformat())
    assert not ChangeConflict.objects.exists()
    services.reschedule(change_id=second.pk, actor=requester, planned_start=f.PLANNED_START,
                        planned_end=f.PLANNED_END, reason="Share the payments window")
    assert ChangeConflict.objects.filter(change=first, other=second).exists()
    assert f.reload(second).schedule_sequence > f.reload(first).schedule_sequence
