"""Reads for the emergency paperwork list (page and API), the emergency change rate, and a recorded
authorization as the API answers it: finished rows (small dataclasses) that templates and serializers
render as they are."""
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from changemgmt import clock, policy
from changemgmt.models import User
from changes.emergency import authorization
from changes.emergency.models import AuthorizationRequest, EmergencyReview
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


@dataclass(frozen=True)
class PaperworkRow:
    """One emergency change's 24-hour paperwork as shown: each of the three items, the clock, the CAB flag."""

    review: EmergencyReview
    change: ChangeRequest
    id: int
    change_id: int
    reference: str
    title: str
    risk_level: str
    owner: str | None
    deployed_at: datetime
    due_at: datetime
    clock: str
    overdue: bool
    completed_at: datetime | None
    documentation_complete: bool
    documentation_missing: list[str]
    approvals_complete: bool
    root_cause_recorded: bool
    cab_review: bool


def status_row(review, now) -> PaperworkRow:
    """One review as shown (its change and the change's owner loaded with it)."""
    change = review.change
    return PaperworkRow(
        review=review, change=change, id=review.pk, change_id=change.pk, reference=change.reference,
        title=change.title, risk_level=change.risk_level,
        owner=change.owner.username if change.owner_id else None,
        deployed_at=review.deployed_at, due_at=review.due_at,
        clock="complete" if review.completed_at else clock.describe_due(review.due_at, now),
        overdue=review.completed_at is None and review.due_at <= now, completed_at=review.completed_at,
        documentation_complete=review.documentation_complete,
        documentation_missing=review.documentation_missing,
        approvals_complete=review.approvals_complete, root_cause_recorded=review.root_cause_recorded,
        cab_review=review.cab_review)


def status_rows(*, overdue_only: bool = False, now=None, limit: int) -> list[PaperworkRow]:
    """The first `limit` open reviews (or only the overdue ones) as finished rows, soonest deadline first."""
    now = now or timezone.now()
    return [status_row(review, now) for review in reviews(overdue_only=overdue_only, now=now)[:limit]]


@dataclass(frozen=True)
class EmergencyRate:
    """Emergency changes as a share of all changes filed in the last `days` days, against policy targets."""

    days: int
    emergency: int
    total: int
    percent: float
    target: float
    tolerated: float
    verdict: str
    colour: str


@dataclass(frozen=True)
class PaperworkList:
    rate: EmergencyRate
    results: list[PaperworkRow]


@dataclass(frozen=True)
class AuthorizationRow:
    """A verbal go-ahead as the API answers it: recorded (by the authorizer), or awaiting their confirmation."""

    id: int
    change: int
    authorizer: str
    role: str
    how: str
    authorized_at: datetime
    recorded_by: str
    deploy_authorized: bool
    awaiting_confirmation: bool


def authorization_row(row) -> AuthorizationRow:
    """`row` is what changes.emergency.services.record_verbal_authorization returned: an
    EmergencyAuthorization, or an AuthorizationRequest (recorded by someone else, it counts once the
    authorizer confirms)."""
    if isinstance(row, AuthorizationRequest):
        return AuthorizationRow(id=row.pk, change=row.change_id, authorizer=row.authorizer.username,
                                role=row.authorizer_role, how=row.how, authorized_at=row.authorized_at,
                                recorded_by=row.requested_by.username, deploy_authorized=False,
                                awaiting_confirmation=True)
    return AuthorizationRow(id=row.pk, change=row.change_id, authorizer=row.authorizer.username,
                            role=row.authorizer_role, how=row.how, authorized_at=row.authorized_at,
                            recorded_by=row.recorded_by.username,
                            deploy_authorized=authorization.authorization_complete(row.change),
                            awaiting_confirmation=False)


def user_id(username: str) -> int | None:
    """The id of the person named `username`, or None (the service refuses an unknown authorizer)."""
    return User.objects.filter(username=username).values_list("pk", flat=True).first()


def emergency_rate(now=None) -> EmergencyRate:
    """Emergency changes as a share of all changes filed in the last 30 days, against policy targets."""
    now = now or timezone.now()
    counts = ChangeRequest.objects.filter(created_at__gte=now - timedelta(days=RATE_DAYS)).aggregate(
        total=Count("id"), emergency=Count("id", filter=Q(change_type=EMERGENCY)))
    targets = policy.get("emergency_rate_target_percent")
    percent = round(100 * counts["emergency"] / counts["total"], 1) if counts["total"] else 0.0
    verdict = "on target" if percent < targets["target"] else (
        "above target, tolerated" if percent < targets["tolerated"] else "above the tolerated ceiling")
    return EmergencyRate(
        days=RATE_DAYS, emergency=counts["emergency"], total=counts["total"], percent=percent,
        target=targets["target"], tolerated=targets["tolerated"], verdict=verdict,
        colour="green" if percent < targets["target"] else "amber" if percent < targets["tolerated"] else "red")


def paperwork_list(*, overdue_only: bool = False, limit: int, now=None) -> PaperworkList:
    """The API's list: the rate and the first `limit` rows."""
    now = now or timezone.now()
    return PaperworkList(rate=emergency_rate(now), results=status_rows(overdue_only=overdue_only, now=now,
                                                                        limit=limit))
