"""Admin of the review follow-ups: records, read-only (answers go through the page and the API)."""
from django.contrib import admin

from changemgmt.admin_base import ReadOnlyAdmin
from changes.review.models import ReviewFollowUp


@admin.register(ReviewFollowUp)
class ReviewFollowUpAdmin(ReadOnlyAdmin):
    list_display = ("change", "checkpoint", "due_at", "reminded_at", "answered_at", "answered_by", "issues_found")
    list_filter = ("checkpoint", "issues_found")
