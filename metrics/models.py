"""The record of each monthly metrics report sent: one row per month, so the report goes out once."""
from django.db import models


class MonthlyReport(models.Model):
    """The monthly report of `month` (its first day) was mailed to `recipients` people at `sent_at`. The
    unique month is what makes the beat job idempotent: a second run, or a second beat, sends nothing."""

    month = models.DateField(help_text="The first day of the reported month (ORG_TIME_ZONE)")
    sent_at = models.DateTimeField()
    recipients = models.PositiveIntegerField()
    summary = models.TextField(help_text="The numbers as mailed")

    class Meta:
        ordering = ["-month"]
        constraints = [models.UniqueConstraint(fields=["month"], name="metrics_report_once_per_month")]

    def __str__(self):
        return f"Metrics report {self.month:%Y-%m}"
