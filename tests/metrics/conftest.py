"""A small month of changes whose every metric is worked out by hand (tests/metrics/test_measures.py).

Time is frozen at factories.NOW; the month is NOW's calendar month in ORG_TIME_ZONE, M its first midnight.
Rows are written straight to the tables (the numbers, not the services, are under test here).

| # | team | type | risk | submitted | deployed | lead | outcome |
|---|---|---|---|---|---|---|---|
| 1 | Payments | normal | low | M+1d | M+2d | 24 h | successful (pipeline rollout to 100 % at +1 h) |
| 2 | Payments | normal | low | M+1d | M+3d | 48 h | successful |
| 3 | Payments | normal | low | M+3d | M+4d | 24 h | failed, review: unexpected impact |
| 4 | Payments | normal | medium | M+4d | M+5d | 24 h | rolled back: decided 1 h after deploying, done 30 min later |
| 5 | Search | emergency | high | M+6d-2h | M+6d | 2 h | successful |
| 6 | Search | normal | low | M+6d | M+7d | 24 h | deployed, no outcome yet |
| 7 | Search | standard | low | M+8d | — | — | draft |
| 8 | Search | normal | low | M-20d | M-19d | 24 h | successful (last month: inside the score window only) |

#4's pipeline reported 1 % then rolled back. Filed = submitted - 1 h.
Approval slots: #1 decided 6 h after creation, #5 2 h after.
"""
from datetime import datetime, timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from approvals.models import ApprovalSlot
from changemgmt import policy_services
from changemgmt.ledger.services import append
from changemgmt.roles import Role
from changes.models import ChangeRequest, DeployEnvironment, DeploymentReport, RollbackRecord, Service
from tests.support import factories as f

ROWS = [
    # (team, type, risk, submitted (days from M, hours), deployed (days), state, outcome, review unexpected impact)
    ("Payments", "normal", "low", (1, 0), 2, "closed", "successful", False),
    ("Payments", "normal", "low", (1, 0), 3, "closed", "successful", False),
    ("Payments", "normal", "low", (3, 0), 4, "closed", "failed", True),
    ("Payments", "normal", "medium", (4, 0), 5, "rolled_back", "", False),
    ("Search", "emergency", "high", (6, -2), 6, "closed", "successful", False),
    ("Search", "normal", "low", (6, 0), 7, "deployed", "", False),
    ("Search", "standard", "low", (8, 0), None, "draft", "", False),
    ("Search", "normal", "low", (-20, 0), -19, "closed", "successful", False),
]


@pytest.fixture(autouse=True)
def _no_cached_report():
    """Each test computes its own numbers (the cache is per process; see presenters.cached_build)."""
    cache.clear()
    yield
    cache.clear()


def month_start() -> datetime:
    local = timezone.localtime(f.NOW)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def period_key() -> str:
    return timezone.localtime(f.NOW).strftime("%Y-%m")


def make_change(*, team, change_type, risk, submitted, deployed, state, outcome, unexpected, requester, service):
    change = ChangeRequest.objects.create(
        title="Metric fixture", change_type=change_type, risk_level=risk, requester=requester, team=team,
        state=state, outcome=outcome, submitted_at=submitted, deployed_at=deployed,
        review_answers={"no_unexpected_impact": not unexpected} if outcome else {})
    ChangeRequest.objects.filter(pk=change.pk).update(created_at=submitted - timedelta(hours=1))
    change.services.add(service)
    return change


@pytest.fixture
def people(db):
    return {
        "payments": f.make_user("paula", Role.REQUESTER, team="Payments"),
        "search": f.make_user("sergio", Role.REQUESTER, team="Search"),
        "manager": f.make_user("mia", Role.MANAGER, team="Payments"),
        "auditor": f.make_user("audrey", Role.AUDITOR),
        "admin": f.make_user("ada", Role.ADMINISTRATOR),
        "outsider": f.make_user("olga", Role.REQUESTER, Role.PEER_REVIEWER, team="Search"),
    }


@pytest.fixture
def month(frozen, people):
    """The eight changes above, their slots, rollback and deployment reports; policy thresholds made small."""
    start = month_start()
    services = {"Payments": Service.objects.create(name="payments-api"),
                "Search": Service.objects.create(name="search-api")}
    changes = []
    for team_name, kind, risk, (days, hours), deployed_days, state, outcome, unexpected in ROWS:
        requester = people["payments" if team_name == "Payments" else "search"]
        changes.append(make_change(
            team=requester.team, change_type=kind, risk=risk,
            submitted=start + timedelta(days=days, hours=hours),
            deployed=start + timedelta(days=deployed_days) if deployed_days is not None else None,
            state=state, outcome=outcome, unexpected=unexpected, requester=requester, service=services[team_name]))
    changes[5].services.add(services["Payments"])
    for change, hours in ((changes[0], 6), (changes[4], 2)):
        slot = ApprovalSlot.objects.create(change=change, role="peer", rule="fixture", policy="POLICY §3",
                                           status="granted", decided_by=people["manager"],
                                           decided_at=change.submitted_at + timedelta(hours=1 + hours))
        ApprovalSlot.objects.filter(pk=slot.pk).update(created_at=change.submitted_at + timedelta(hours=1))
    rolled = changes[3]
    RollbackRecord.objects.create(
        change=rolled, severity="high", trigger="error_rate_rise", kind="application",
        decided_at=rolled.deployed_at + timedelta(hours=1), decided_by=people["manager"], reason="errors",
        steps_executed="revert", completed_at=rolled.deployed_at + timedelta(hours=1, minutes=30), impact="some",
        root_cause="bug", preventive_measures="tests")
    production, _ = DeployEnvironment.objects.get_or_create(name="production")
    for change, stage, action, after in ((changes[0], 1, "continue", timedelta()),
                                         (changes[0], 100, "continue", timedelta(hours=1)),
                                         (rolled, 1, "continue", timedelta()),
                                         (rolled, 5, "roll_back", timedelta(hours=1))):
        entry = append(actor=None, action="pipeline.deployment_report", subject=change, payload={"stage": stage})
        DeploymentReport.objects.create(
            change=change, service=change.services.first(), environment=production,
            artefact_digest="sha256:" + "a" * 64,
            pipeline_id="p", run_id=str(change.pk), stage=stage, error_rate_percent=0, p95_latency_ms=100,
            alert_count=0, action=action, ledger_entry=entry, reported_at=change.deployed_at + after)
    admin = people["admin"]
    policy_services.update_setting(key="change_success_score", value={"window_days": 90, "min_completed": 2},
                                   actor=admin)
    policy_services.update_setting(key="risk_calibration", value={
        "tolerated_failure_percent": {"low": 5, "medium": 10, "high": 15, "critical": 20}, "min_changes": 1},
        actor=admin)
    return {"changes": changes, "services": services, "start": start}
