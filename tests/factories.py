"""Builders for test data: people with roles, services, and complete change requests.

Times: tests freeze "now" at NOW (Monday 2026-11-23 12:00 New York); a complete change is planned for
Tuesday 2026-12-01 06:00-07:00, inside the Tuesday window and 7+ days ahead (enough lead time for any
risk). DEPLOY_TIME lies inside that window.
"""
from datetime import datetime
from zoneinfo import ZoneInfo

from django.contrib.auth.models import Group

from changemgmt.models import Team, User
from changes.models import ChangeRequest, Service

NY = ZoneInfo("America/New_York")
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=NY)
PLANNED_START = datetime(2026, 12, 1, 6, 0, tzinfo=NY)
PLANNED_END = datetime(2026, 12, 1, 7, 0, tzinfo=NY)
DEPLOY_TIME = datetime(2026, 12, 1, 6, 15, tzinfo=NY)
PASSWORD = "correct-horse-battery-staple"


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
    """Input for create_change that satisfies the submit gate."""
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
        "planned_start": PLANNED_START.isoformat(),
        "planned_end": PLANNED_END.isoformat(),
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
