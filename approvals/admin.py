"""Admin for approvals. The on-call roster is edited here by administrators, through
approvals.oncall (audited in the ledger); slots, timers, delegations and the emergency records are
read-only, since they are written only by the services that enforce the policy."""
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from approvals import oncall
from approvals.models import (
    ApprovalSlot,
    Delegation,
    EmergencyAuthorization,
    EmergencyReview,
    EmergencyStep,
    OnCallShift,
    SlaStep,
)
from changemgmt.roles import Role, has_role


def _administrator(request) -> bool:
    return has_role(request.user, Role.ADMINISTRATOR)


@admin.register(OnCallShift)
class OnCallShiftAdmin(SimpleHistoryAdmin):
    list_display = ("role", "user", "starts_at", "ends_at")
    list_filter = ("role",)
    list_select_related = ("user",)
    date_hierarchy = "starts_at"

    def has_module_permission(self, request):
        return _administrator(request) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return _administrator(request) or super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return _administrator(request)

    def has_change_permission(self, request, obj=None):
        return _administrator(request)

    def has_delete_permission(self, request, obj=None):
        return _administrator(request)

    def save_model(self, request, obj, form, change):
        oncall.save_shift(actor=request.user, shift=obj)

    def delete_model(self, request, obj):
        oncall.delete_shift(actor=request.user, shift=obj)

    def delete_queryset(self, request, queryset):
        for shift in queryset.select_related("user"):
            oncall.delete_shift(actor=request.user, shift=shift)


class ReadOnly(admin.ModelAdmin):
    """Viewable by administrators; nothing is written from here."""

    def has_module_permission(self, request):
        return _administrator(request) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return _administrator(request) or super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyWithHistory(ReadOnly, SimpleHistoryAdmin):
    """Read-only, with the row history django-simple-history keeps."""


@admin.register(ApprovalSlot)
class ApprovalSlotAdmin(ReadOnlyWithHistory):
    list_display = ("id", "change", "role", "ordinal", "status", "decided_by", "due_at", "next_step")
    list_filter = ("status", "role")
    list_select_related = ("change", "decided_by")
    raw_id_fields = ("change",)


@admin.register(SlaStep)
class SlaStepAdmin(ReadOnly):
    list_display = ("slot", "step", "scheduled_at", "sent_at")
    list_filter = ("step",)


@admin.register(Delegation)
class DelegationAdmin(ReadOnlyWithHistory):
    list_display = ("delegator", "delegate", "starts_on", "ends_on", "revoked_at")
    list_select_related = ("delegator", "delegate")


@admin.register(EmergencyAuthorization)
class EmergencyAuthorizationAdmin(ReadOnly):
    list_display = ("change", "authorizer", "authorizer_role", "how", "authorized_at", "recorded_by")
    list_filter = ("authorizer_role", "how")
    list_select_related = ("change", "authorizer", "recorded_by")


@admin.register(EmergencyReview)
class EmergencyReviewAdmin(ReadOnlyWithHistory):
    list_display = ("change", "deployed_at", "due_at", "completed_at", "documentation_complete",
                    "approvals_complete", "cab_review")
    list_filter = ("cab_review",)
    list_select_related = ("change",)


@admin.register(EmergencyStep)
class EmergencyStepAdmin(ReadOnly):
    list_display = ("review", "step", "scheduled_at", "sent_at")
