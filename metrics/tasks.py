"""The metrics' beat job: every day, send last month's report if it has not gone out yet (so a beat that
was down on the 1st catches up). Idempotent: the service sends each month once."""
from celery import shared_task

from metrics.forms import previous_month
from metrics.services import send_monthly_report as send


@shared_task(name="metrics.send_monthly_report")
def send_monthly_report() -> int:
    row = send(period=previous_month())
    return row.recipients if row else 0
