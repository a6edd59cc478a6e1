"""The one write of the metrics: sending a month's report, once.

`send_monthly_report` computes the month's metrics (no filters), writes the MonthlyReport row (unique per
month), one inbox notification per reader (metrics.rules.METRICS_ROLES) — mailed after commit by
changemgmt.notifications, the one mail path — and a `metrics.monthly_report_sent` ledger entry, all in one
transaction. A month already reported sends nothing; two runs racing send once (the unique month)."""
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from changemgmt.ledger.services import append
from changemgmt.models import NotificationKind
from changemgmt.notifications.services import Message, notify_many
from metrics import presenters
from metrics.models import MonthlyReport
from metrics.rules import METRICS_ROLES
from metrics.selectors import Period, Scope


def report_recipients() -> list[int]:
    User = get_user_model()
    return sorted(set(User.objects.filter(is_active=True).filter(
        Q(groups__name__in=[str(role) for role in METRICS_ROLES]) | Q(is_superuser=True)).values_list("pk", flat=True)))


def send_monthly_report(*, period: Period) -> MonthlyReport | None:
    """Send `period`'s report (a calendar month) unless it was sent; the row, or None when already sent."""
    month = timezone.localtime(period.start).date()
    if MonthlyReport.objects.filter(month=month).exists():
        return None
    report = presenters.build(period, Scope())
    summary = presenters.summary_text(report)
    met = sum(1 for m in report.measures if m.met)
    judged = sum(1 for m in report.measures if m.met is not None)
    title = f"Change metrics for {period.label}: {met} of {judged} targets met"
    recipients = report_recipients()
    try:
        with transaction.atomic():
            row = MonthlyReport.objects.create(month=month, sent_at=timezone.now(), recipients=len(recipients),
                                               summary=summary)
            notify_many([Message(user_id, NotificationKind.METRICS_REPORT, title, summary,
                                 f"/metrics/?period={period.key}") for user_id in recipients])
            append(actor=None, action="metrics.monthly_report_sent", subject=row,
                   payload={"month": period.key, "recipients": len(recipients), "targets_met": met,
                            "targets_judged": judged})
    except IntegrityError:
        return None  # another run sent it first
    return row
