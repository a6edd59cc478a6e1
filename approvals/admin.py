"""Admin for approvals. The on-call roster is edited here by administrators, through
approvals.services (audited in the ledger); slots, timers and delegations are
read-only, since they are written only by the services that enforce the policy."""
from django.contrib import admin

from approvals import services
from approvals.models import ApprovalSlot, Delegation, EmailDecisionLink, OnCallShift, SlaStep
from changemgmt.admin_base import AuditedAdmin, ReadOnlyAdmin


@admin.register(OnCallShift)
class OnCallShiftAdmin(AuditedAdmin):
    list_display = ("role", "user", "starts_at", "ends_at")
    list_filter = ("role",)
    list_select_related = ("user",)
    date_hierarchy = "starts_at"

    def service_save(self, request, obj, form):
        return services.save_shift(actor=request.user, shift=obj)

    def service_delete(self, request, obj):
        services.delete_shift(actor=request.user, shift=obj)


@admin.register(ApprovalSlot)
class ApprovalSlotAdmin(ReadOnlyAdmin):
    list_display = ("id", "change", "role", "ordinal", "status", "decided_by", "channel", "due_at", "next_step")
    list_filter = ("status", "role", "channel")
    list_select_related = ("change", "decided_by")
    raw_id_fields = ("change",)


@admin.register(SlaStep)
class SlaStepAdmin(ReadOnlyAdmin):
    list_display = ("slot", "step", "scheduled_at", "sent_at")
    list_filter = ("step",)


@admin.register(Delegation)
class DelegationAdmin(ReadOnlyAdmin):
    list_display = ("delegator", "delegate", "starts_on", "ends_on", "revoked_at")
    list_select_related = ("delegator", "delegate")


@admin.register(EmailDecisionLink)
class EmailDecisionLinkAdmin(ReadOnlyAdmin):
    """Who was sent which decision link of which slot, until when, and whether it was used (the token's hash
    stays out of sight: it opens nothing, but it is nobody's business either)."""

    list_display = ("id", "slot", "user", "action", "issued_at", "expires_at", "used_at")
    list_filter = ("action",)
    list_select_related = ("slot", "user")
    exclude = ("token_hash",)
    raw_id_fields = ("slot", "notification")
