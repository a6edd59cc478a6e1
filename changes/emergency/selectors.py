"""Reads for the emergency paperwork list (page and API) and the emergency change rate."""
from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from approvals.models import EmergencyReview
from changemgmt import clock, policy
from changes.emergency.rules import EMERGENCY
from changes.models import ChangeRequest

RATE_DAYS = 30


def reviews(*, overdue_only: bool = False, include_complete: bool = False, now=None):
    """Emergency paperwork, soonest deadline first, in one query."""
    now = now or timezone.now()
    rows = EmergencyReview.objects.select_related("change", "change__owner", "root_cause_by")
    if not include_complete:
        rows = rows.filter(completed_at__isnull=True)
    if overdue_only:
        rows = rows.filter(completed_at__isnull=True, due_at__lte=now)
    return rows.order_by("due_at", "id")


def status_row(review, now) -> dict:
    """One review as shown: each of the three items, the clock, the CAB flag."""
    change = review.change
    overdue = review.completed_at is None and review.due_at <= now
    return {
        "review": review, "change": change, "id": review.pk, "change_id": change.pk, "reference": change.reference,
        "title": change.title, "risk_level": change.risk_level,
        "owner": change.owner.username if change.owner_id else None,
        "deployed_at": review.deployed_at, "due_at": review.due_at,
        "clock": "complete" if review.completed_at else clock.describe_due(review.due_at, now),
        "overdue": overdue, "completed_at": review.completed_at,
        "documentation_complete": review.documentation_complete,
        "documentation_missing": review.documentation_missing,
        "approvals_complete": review.approvals_complete, "root_cause_recorded": review.root_cause_recorded,
        "cab_review": review.cab_review,
    }


def emergency_rate(now=None) -> dict:
    """Emergency changes as a share of all changes filed in the last 30 days, against policy targets."""
    now = now or timezone.now()
    counts = ChangeRequest.objects.filter(created_at__gte=now - timedelta(days=RATE_DAYS)).aggregate(
        total=Count("id"), emergency=Count("id", filter=Q(change_type=EMERGENCY)))
    targets = policy.get("emergency_rate_target_percent")
    percent = round(100 * counts["emergency"] / counts["total"], 1) if counts["total"] else 0.0
    verdict = "on target" if percent < targets["target"] else (
        "above target, tolerated" if percent < targets["tolerated"] else "above the tolerated ceiling")
    return {"days": RATE_DAYS, "emergency": counts["emergency"], "total": counts["total"], "percent": percent,
            "target": targets["target"], "tolerated": targets["tolerated"], "verdict": verdict,
            "colour": "green" if percent < targets["target"] else "amber" if percent < targets["tolerated"] else "red"}
