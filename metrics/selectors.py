"""The SQL behind the metrics: a fixed number of aggregate queries per period, whatever the number of
changes (grouped rows, never a row per change).

- `change_rows`: changes grouped by (team, type, risk) with conditional counts and summed lead times —
  filed in the period, deployed in it (by outcome), and deployed in the success-score window;
- `follow_up_issue_rows`: the same groups' changes rolled back soon after deploying or whose 24-hour review
  follow-up found issues (the rest of the post-implementation issues);
- `service_rows`: the same counts grouped by service;
- `recovery_rows`: rollback records completed in the period, by risk (time from decision to completion);
- `review_rows`: approval slots decided in the period, by risk (time from creation to decision);
- `dora`: rollouts started from deployment reports in the period, their lead time and time to restore.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, DurationField, ExpressionWrapper, F, Min, OuterRef, Q, Subquery, Sum

from approvals.choices import SlotStatus
from approvals.models import ApprovalSlot
from changes.choices import Outcome, State
from changes.models import ChangeRequest, DeploymentReport, ReviewFollowUp, RollbackRecord
from changes.review.choices import Checkpoint


@dataclass(frozen=True)
class Period:
    """[start, end): aware datetimes; `key` names it in filters and in the report (`2026-11`, `30d`)."""

    key: str
    label: str
    start: datetime
    end: datetime

    @property
    def days(self) -> float:
        return (self.end - self.start).total_seconds() / 86400


@dataclass(frozen=True)
class Scope:
    """The filters besides the period: team id, service id, risk level, change type (empty: all)."""

    team: int | None = None
    service: int | None = None
    risk: str = ""
    change_type: str = ""

    def changes(self, prefix: str = ""):
        """A Q over ChangeRequest (or, with `prefix` such as "change__", over a model pointing to it)."""
        q = Q()
        if self.team:
            q &= Q(**{f"{prefix}team_id": self.team})
        if self.service:
            q &= Q(**{f"{prefix}services": self.service})
        if self.risk:
            q &= Q(**{f"{prefix}risk_level": self.risk})
        if self.change_type:
            q &= Q(**{f"{prefix}change_type": self.change_type})
        return q


def _between(field: str, start, end) -> Q:
    return Q(**{f"{field}__gte": start, f"{field}__lt": end})


def _duration(later: str, earlier: str):
    return ExpressionWrapper(F(later) - F(earlier), output_field=DurationField())


ROLLED_BACK = Q(state=State.ROLLED_BACK) | Q(outcome=Outcome.ROLLED_BACK)
FAILED = Q(outcome=Outcome.FAILED) & ~ROLLED_BACK
SUCCESSFUL = Q(outcome=Outcome.SUCCESSFUL)


FINISHED = SUCCESSFUL | FAILED | ROLLED_BACK


def _outcome_counts(period: Period, *, window_start: datetime, issue_item: str = "") -> dict:
    deployed = _between("deployed_at", period.start, period.end)
    in_window = _between("deployed_at", window_start, period.end)
    return {
        "filed": Count("id", filter=_between("created_at", period.start, period.end)),
        "deployed": Count("id", filter=deployed),
        "successful": Count("id", filter=deployed & SUCCESSFUL),
        "failed": Count("id", filter=deployed & FAILED),
        "rolled_back": Count("id", filter=deployed & ROLLED_BACK),
        "lead_total": Sum(_duration("deployed_at", "submitted_at"), filter=deployed & Q(submitted_at__isnull=False)),
        "lead_count": Count("id", filter=deployed & Q(submitted_at__isnull=False)),
        "window_successful": Count("id", filter=in_window & SUCCESSFUL),
        "window_finished": Count("id", filter=in_window & FINISHED),
        # the close review's share of the issues; follow_up_issue_rows adds the rest
        **({"issues": Count("id", filter=deployed & FINISHED & Q(**{f"review_answers__{issue_item}": False}))}
           if issue_item else {}),
    }


def _in_reach(period: Period, window_start: datetime) -> Q:
    return _between("created_at", period.start, period.end) | _between(
        "deployed_at", min(period.start, window_start), period.end)


def change_rows(period: Period, scope: Scope, *, window_days: int, issue_item: str) -> list[dict]:
    """One query: per (team, type, risk), the counts of `_outcome_counts`."""
    window_start = period.end - timedelta(days=window_days)
    return list(
        ChangeRequest.objects.filter(scope.changes(), _in_reach(period, window_start))
        .values("team_id", "team__name", "change_type", "risk_level")
        .annotate(**_outcome_counts(period, window_start=window_start, issue_item=issue_item))
        .order_by()
    )


def follow_up_issue_rows(period: Period, scope: Scope, *, issue_item: str, issue_hours: int) -> list[dict]:
    """One query: per (team, type, risk), the changes deployed in the period with an outcome whose close review
    did not already count as an issue, and that were rolled back within `issue_hours` of deploying or whose
    24-hour review follow-up was answered "issues found" — each change once, however many signals it has (two
    uncorrelated IN subqueries over the few rollback records and the indexed day answers, rather than a
    subquery per change)."""
    early_rollbacks = RollbackRecord.objects.filter(
        _between("change__deployed_at", period.start, period.end),
        decided_at__lt=F("change__deployed_at") + timedelta(hours=issue_hours)).values("change_id")
    day_issues = ReviewFollowUp.objects.filter(checkpoint=Checkpoint.DAY, issues_found=True).values("change_id")
    changes = ChangeRequest.objects.filter(
        scope.changes(), _between("deployed_at", period.start, period.end), FINISHED,
        Q(pk__in=early_rollbacks) | Q(pk__in=day_issues))
    if issue_item:
        changes = changes.filter(Q(**{f"review_answers__{issue_item}__isnull": True})
                                 | ~Q(**{f"review_answers__{issue_item}": False}))
    return list(
        changes.values("team_id", "change_type", "risk_level")
        .annotate(issues=Count("id", distinct=True))
        .order_by()
    )


def service_rows(period: Period, scope: Scope) -> list[dict]:
    """One query: per service the change touches, the same counts (a change of two services counts in both)."""
    counts = _outcome_counts(period, window_start=period.start)
    return list(
        ChangeRequest.objects.filter(scope.changes(), _in_reach(period, period.start), services__isnull=False)
        .values("services__id", "services__name")
        .annotate(**{key: counts[key] for key in ("filed", "deployed", "successful", "failed", "rolled_back")})
        .order_by("services__name")
    )


def recovery_rows(period: Period, scope: Scope) -> list[dict]:
    """One query: rollbacks completed in the period, per risk, with the summed decision-to-completion time."""
    return list(
        RollbackRecord.objects.filter(scope.changes("change__"), _between("completed_at", period.start, period.end))
        .values("change__risk_level")
        .annotate(count=Count("id"), total=Sum(_duration("completed_at", "decided_at")))
        .order_by()
    )


def review_rows(period: Period, scope: Scope) -> list[dict]:
    """One query: approval slots decided in the period, per risk, with the summed time to decision."""
    return list(
        ApprovalSlot.objects.filter(scope.changes("change__"), _between("decided_at", period.start, period.end),
                                    status__in=[SlotStatus.GRANTED, SlotStatus.REJECTED])
        .values("change__risk_level")
        .annotate(count=Count("id"), total=Sum(_duration("decided_at", "created_at")))
        .order_by()
    )


def _prefixed(q: Q, prefix: str) -> Q:
    """The same condition over a model pointing to the change (`change__state` for `state`)."""
    clone = Q(*[_prefixed(child, prefix) if isinstance(child, Q) else (prefix + child[0], child[1])
                for child in q.children], _connector=q.connector, _negated=q.negated)
    return clone


def dora(period: Period, scope: Scope, *, first_stage: int, last_stage: int) -> dict:
    """Three queries over the deployment reports, joined to their changes (no subquery per change): the
    rollouts started in the period (a change's first-stage report) and those of them whose change failed or
    was rolled back; their lead time from filing to the 100 % report; the rollbacks of reported rollouts
    completed in the period, timed from the rollout's first report."""
    reports = DeploymentReport.objects.filter(scope.changes("change__"))
    started = reports.filter(stage=first_stage, reported_at__gte=period.start, reported_at__lt=period.end)
    rollouts = started.aggregate(
        deployments=Count("change", distinct=True),
        failed=Count("change", distinct=True, filter=_prefixed(FAILED | ROLLED_BACK, "change__")))
    lead = reports.filter(stage=last_stage, action="continue",
                          change__in=started.values("change")).aggregate(
        lead_total=Sum(_duration("reported_at", "change__created_at")), lead_count=Count("change", distinct=True))
    first_report = DeploymentReport.objects.filter(change=OuterRef("change")).order_by().values("change").annotate(
        first=Min("reported_at")).values("first")
    restores = (
        RollbackRecord.objects.filter(scope.changes("change__"), _between("completed_at", period.start, period.end))
        .annotate(exposed_at=Subquery(first_report)).filter(exposed_at__isnull=False)
        .aggregate(count=Count("id"), total=Sum(_duration("completed_at", "exposed_at")))
    )
    return {**rollouts, **lead, "restores": restores["count"], "restore_total": restores["total"]}
