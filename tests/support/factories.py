"""Builders for test data: people with roles, services, and complete change requests.

Times are computed from "now", never a calendar date that will pass. Most tests freeze "now" at NOW
(a Monday 12:00 New York); tests that run against real time (a real worker, a browser) use
`monday_noon_after(real now)`. A complete change is planned for the first Tuesday 06:00-07:00 at
least 7 days after the current (frozen or real) time and outside every recurring freeze: inside the
Tuesday window with enough lead time for any risk. For NOW that is PLANNED_START; DEPLOY_TIME lies
inside its window.
"""
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth.models import Group
from django.utils import timezone

from changemgmt.models import Team, User
from changes.models import ChangeRequest, Service, StandardTemplate

NY = ZoneInfo("America/New_York")
TUESDAY = 1
LEAD = timedelta(days=7)
PASSWORD = "correct-horse-battery-staple"


def monday_noon_after(moment: datetime) -> datetime:
    """The first Monday 12:00 New York after `moment`: a "now" for tests that cannot freeze time."""
    day = moment.astimezone(NY).date() + timedelta(days=1)
    day += timedelta(days=(0 - day.weekday()) % 7)
    return datetime.combine(day, time(12, 0), tzinfo=NY)


def planned_window(now: datetime, *, check_freezes: bool = True) -> tuple[datetime, datetime]:
    """The first Tuesday 06:00-07:00 New York at least 7 days after `now`, outside recurring freezes
    (end of month and quarter, public holidays: they come from policy, so this needs the database)."""
    day = (now + LEAD).astimezone(NY).date()
    while True:
        day += timedelta(days=(TUESDAY - day.weekday()) % 7)
        start = datetime.combine(day, time(6, 0), tzinfo=NY)
        end = start + timedelta(hours=1)
        if start - now >= LEAD and not (check_freezes and _recurring_freeze(start, end)):
            return start, end
        day += timedelta(days=1)


def _recurring_freeze(start: datetime, end: datetime) -> bool:
    from changes.calendar.schedule import recurring_freezes

    return bool(recurring_freezes(start, end))


# The frozen tests' clock and the plan a complete change gets under it (a Tuesday clear of freezes).
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=NY)
PLANNED_START, PLANNED_END = planned_window(NOW, check_freezes=False)
DEPLOY_TIME = PLANNED_START + timedelta(minutes=15)

# Where a test's plans are computed from: the `frozen` fixture sets NOW for its whole test (so a test
# that moves the clock on still files the same plan); otherwise the current, real or travelled, time.
plan_from: datetime | None = None


def make_user(username: str, *roles: str, team: str | None = None, manager=None) -> User:
    team_obj = Team.objects.get_or_create(name=team)[0] if team else None
    user = User.objects.create_user(username=username, password=PASSWORD, email=f"{username}@example.com",
                                    first_name=username.capitalize(), team=team_obj, manager=manager)
    for role in roles:
        user.groups.add(Group.objects.get(name=role))
    return user


def make_service(name: str = "payments-api") -> Service:
    return Service.objects.get_or_create(name=name)[0]


def complete_fields(**overrides) -> dict:
    """Input for create_change that satisfies the submit gate, planned from `plan_from` or now."""
    start, end = planned_window(plan_from or timezone.now())
    data = {
        "title": "Upgrade payments API to v2.3",
        "change_type": "normal",
        "category": "application",
        "description": "Roll out v2.3 of the payments API.",
        "business_justification": "Fixes the refund rounding defect customers report.",
        "impact_systems": "payments-api, ledger-writer",
        "impact_users": "Customers issuing refunds",
        "implementation_plan": "Deploy with the canary pipeline.",
        "test_plan": "Unit and integration suites; staging smoke test.",
        "rollback_plan": "Redeploy v2.2 from the artefact store.",
        "planned_start": start.isoformat(),
        "planned_end": end.isoformat(),
        "services": [make_service().pk],
        "ticket_url": "https://tickets.example.com/PAY-42",
    }
    data.update(overrides)
    return data


LOW_RISK = {"systems": 1, "users": 1, "data": 1, "reversibility": 1, "security": 1}
MEDIUM_RISK = {"systems": 2, "users": 2, "data": 2, "reversibility": 1, "security": 1}
HIGH_RISK = {"systems": 3, "users": 3, "data": 2, "reversibility": 2, "security": 2}
CRITICAL_RISK = {"systems": 3, "users": 3, "data": 3, "reversibility": 2, "security": 1}


def reload(change) -> ChangeRequest:
    return ChangeRequest.objects.get(pk=change.pk)


def make_template(name: str = "Patch-level dependency update", **overrides) -> StandardTemplate:
    """An active standard template scored low (pre-approved)."""
    fields = {"description": "Bump a dependency's patch version.", "category": "application",
              "implementation_plan": "Merge the bot PR; deploy via pipeline.", "test_plan": "Full unit suite.",
              "rollback_plan": "Revert the PR.", "risk_scores": dict(LOW_RISK), **overrides}
    return StandardTemplate.objects.get_or_create(name=name, defaults=fields)[0]
