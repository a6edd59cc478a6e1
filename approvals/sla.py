"""Approval SLAs: due times, and the reminder/escalation steps along them [POLICY §3].

Each pending slot carries its next step and when it is due (`next_step`, `next_step_at`, indexed
for pending slots); the sweep that sends the due steps is approvals.services.sla.

Steps, as percentages of the slot's SLA business time (policy `sla_reminder_percents`,
`sla_escalation_percents`): reminders to the role holders (50 %, 100 %), escalation to the role
holders' managers at the breach (100 %), then to the CAB chair after a further SLA period (200 %).
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from changemgmt import clock, policy

ESCALATE_MANAGER = "escalate_manager"
ESCALATE_CAB_CHAIR = "escalate_cab_chair"


def _override_seconds() -> int:
    """A test/demo setting (SLA_SECONDS_OVERRIDE) that makes every SLA that many real seconds long."""
    return int(getattr(settings, "SLA_SECONDS_OVERRIDE", 0) or 0)


def due_at_for(*, start: datetime, risk_level: str, cal: clock.BusinessCalendar | None = None) -> datetime:
    seconds = _override_seconds()
    if seconds:
        return start + timedelta(seconds=seconds)
    days = policy.get("sla_business_days")[risk_level or "low"]
    return (cal or clock.current()).add_business_days(start, days)


@dataclass(frozen=True)
class Step:
    name: str
    percent: float
    at: datetime


def plan(*, start: datetime, due_at: datetime, cal: clock.BusinessCalendar | None = None) -> list[Step]:
    """Every reminder and escalation step of one SLA, in the order they fall due."""
    escalations = policy.get("sla_escalation_percents")
    named = [(f"remind_{int(p)}", float(p)) for p in policy.get("sla_reminder_percents")]
    named += [(ESCALATE_MANAGER, float(escalations["manager"])), (ESCALATE_CAB_CHAIR, float(escalations["cab_chair"]))]
    cal = cal or clock.current()
    steps = []
    for name, percent in named:
        if _override_seconds():
            at = start + (due_at - start) * (percent / 100)
        else:
            at = cal.point_in_sla(start, due_at, percent)
        steps.append(Step(name, percent, at))
    return sorted(steps, key=lambda s: (s.at, s.percent))


def next_step(steps: list[Step], done: set[str]) -> Step | None:
    return next((step for step in steps if step.name not in done), None)


def timer_fields(*, start: datetime, risk_level: str, cal=None) -> dict:
    """due_at / next_step / next_step_at for a slot created at `start`."""
    cal = cal or clock.current()
    due = due_at_for(start=start, risk_level=risk_level, cal=cal)
    first = next_step(plan(start=start, due_at=due, cal=cal), set())
    return {"due_at": due, "next_step": first.name if first else "", "next_step_at": first.at if first else None}


def change_path(change_id: int) -> str:
    try:
        return reverse("changes:detail", args=[change_id])
    except NoReverseMatch:
        return f"/changes/{change_id}/"
