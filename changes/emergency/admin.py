"""Admin of emergency changes: the verbal authorizations, the 24-hour paperwork and its reminder steps
are read-only, since only changes.emergency's services write them."""
from django.contrib import admin

from changemgmt.admin_base import ReadOnlyAdmin
from changes.emergency.models import EmergencyAuthorization, EmergencyReview, EmergencyStep


@admin.register(EmergencyAuthorization)
class EmergencyAuthorizationAdmin(ReadOnlyAdmin):
    list_display = ("change", "authorizer", "authorizer_role", "how", "authorized_at", "recorded_by")
    list_filter = ("authorizer_role", "how")
    list_select_related = ("change", "authorizer", "recorded_by")


@admin.register(EmergencyReview)
class EmergencyReviewAdmin(ReadOnlyAdmin):
    list_display = ("change", "deployed_at", "due_at", "completed_at", "documentation_complete",
                    "approvals_complete", "cab_review")
    list_filter = ("cab_review",)
    list_select_related = ("change",)


@admin.register(EmergencyStep)
class EmergencyStepAdmin(ReadOnlyAdmin):
    list_display = ("review", "step", "scheduled_at", "sent_at")
