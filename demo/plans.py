"""The demo's changes as plans: what each is, where it ends, and when it is planned. Planned times come
from the configured deployment windows and freezes (changes.calendar.schedule), in the past for changes
that were deployed and in the coming weeks for the others; a few future changes share a service and a
time with another, so the change page, the calendar and the CAB agenda have conflicts to show."""
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.utils import timezone

from changemgmt import policy
from changemgmt.models import User
from changes.calendar import schedule
from changes.choices import ChangeType, State
from changes.models import Service, StandardTemplate
from demo.data import CONFLICT_PAIRS, PAST_STATES, RISK_CYCLE, STATE_COUNTS, TITLES

# Future states whose changes hold their planned time (a draft, rejected or cancelled one does not count).
PLANNED_STATES = (State.ASSESSMENT, State.APPROVAL, State.TESTING, State.READY)


@dataclass
class Plan:
    """One demo change: what it is, where it ends, and its steps (time, action) to get there."""

    number: int
    state: str
    author: User
    title: str
    service: Service
    category: str
    risk: str
    change_type: str = ChangeType.NORMAL
    raised: bool = False  # a reviewer raised the computed level (low) to `risk`
    template: StandardTemplate | None = None
    slot_start: datetime | None = None
    change_id: int | None = None
    steps: list[tuple[datetime, Callable[[], None]]] = field(default_factory=list)


def _slots(start: datetime, *, forward: bool):
    """45-minute deployment slots on the hour, from `start` onward (or backward), that every risk
    level may use and no freeze touches, asked of changes.calendar.schedule itself so the demo follows the
    configured windows and freezes. One change per slot, so no two demo changes overlap unless
    `_put_in_conflict` says so."""
    tz = timezone.get_current_timezone()
    day = timezone.localtime(start).date()
    step = timedelta(days=1 if forward else -1)
    for _ in range(400):
        # Only working-day mornings are candidates (POLICY §6 windows are 06:00-10:00, Mon-Thu).
        hours = range(5, 11) if forward else range(10, 4, -1)
        for hour in hours if day.weekday() < 5 else ():
            slot = datetime.combine(day, time(hour, 0)).replace(tzinfo=tz)
            end = slot + timedelta(minutes=45)
            if (slot > start if forward else slot < start) and not schedule.window_violations(
                    change_type=ChangeType.NORMAL, risk="critical", start=slot, end=end) \
                    and not schedule.freeze_violations(change_type=ChangeType.NORMAL, start=slot, end=end,
                                                       service_ids=[]):
                yield slot
        day += step


def codes(key: str) -> list[str]:
    return [item["code"] for item in policy.get(key)]


def change_fields(plan: Plan) -> dict:
    start = plan.slot_start
    data = {
        "title": plan.title,
        "change_type": plan.change_type,
        "category": plan.category,
        "description": f"{plan.title}, planned with the {plan.service.name} owners.",
        "business_justification": "Keeps the service reliable and within its error budget.",
        "impact_systems": plan.service.name,
        "impact_users": "Customers of the service; no downtime expected.",
        "implementation_plan": "Deploy through the pipeline with a canary stage at 5 %.",
        "test_plan": "Unit and integration suites in CI; smoke test in staging.",
        "rollback_plan": "Redeploy the previous release from the artefact store.",
        "planned_start": start.isoformat(),
        "planned_end": (start + timedelta(minutes=45)).isoformat(),
        "services": [plan.service.pk],
        "ticket_url": f"https://tickets.example.com/CHG-DEMO-{plan.number}",
    }
    if plan.change_type == ChangeType.EMERGENCY:
        data["emergency_criterion"] = codes("emergency_criteria")[0]
    if plan.state == State.DRAFT and plan.number % 2:
        data["rollback_plan"] = ""  # a draft that still misses an item, to show the gate checklist
    return data


def build_plans(people: list[User], service_rows: list[Service], templates: list[StandardTemplate],
                now: datetime) -> list[Plan]:
    by_service = {service.name: service for service in service_rows}
    authors = [user for user in people if user.username in ("alice", "ravi")]
    past = _slots(now - timedelta(days=3), forward=False)
    future = _slots(now + timedelta(days=9), forward=True)
    plans = []
    number = 0
    for state, count in STATE_COUNTS:
        for _ in range(count):
            number += 1
            title, service_name, category = TITLES[number % len(TITLES)]
            plan = Plan(number=number, state=state, author=authors[number % 2], title=title,
                        service=by_service[service_name], category=category,
                        risk=RISK_CYCLE[number % len(RISK_CYCLE)])
            if state in (State.CLOSED, State.READY, State.TESTING) and number % 4 == 0:
                plan.template = templates[number % len(templates)]
                plan.title, plan.category, plan.risk = plan.template.name, plan.template.category, "low"
                plan.change_type = ChangeType.STANDARD
                plan.service = by_service["docs-site"]
            elif state in (State.CLOSED, State.DEPLOYED) and number % 7 == 0:
                plan.change_type = ChangeType.EMERGENCY
            elif plan.risk == "low" and number % 5 == 0:
                plan.risk, plan.raised = "medium", True
            plan.slot_start = next(past) if state in PAST_STATES else next(future)
            plans.append(plan)
    _put_in_conflict(plans)
    return plans



def _put_in_conflict(plans: list[Plan]) -> None:
    """Move the later of `CONFLICT_PAIRS` pairs of planned changes on one service into the earlier's time,
    the earliest pairs first (so the next CAB agenda's calendar shows them)."""
    first_on = {}
    pairs = 0
    for plan in sorted((p for p in plans if p.state in PLANNED_STATES and p.template is None),
                       key=lambda p: p.slot_start):
        earlier = first_on.get(plan.service.pk)
        if earlier is None:
            first_on[plan.service.pk] = plan
            continue
        if pairs < CONFLICT_PAIRS and earlier.slot_start != plan.slot_start:
            plan.slot_start = earlier.slot_start
            pairs += 1
