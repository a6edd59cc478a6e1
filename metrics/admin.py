"""The monthly reports sent, read-only: only the beat job's service writes them."""
from django.contrib import admin

from changemgmt.admin_base import ReadOnlyAdmin
from metrics.models import MonthlyReport


@admin.register(MonthlyReport)
class MonthlyReportAdmin(ReadOnlyAdmin):
    list_display = ["month", "sent_at", "recipients"]
