"""Admin for change requests. The admin reads everything but writes only through services:
fields are read-only here, and actions call changes.services.run_transition, so the admin obeys
the same gates, permissions and audit as the pages and the API."""
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from simple_history.admin import SimpleHistoryAdmin

from changemgmt.errors import Conflict, GateRefused
from changes import services
from changes.models import ChangeRequest, Freeze, RollbackRecord, Service, StandardTemplate, TestEvidence


class TestEvidenceInline(admin.TabularInline):
    model = TestEvidence
    extra = 0
    can_delete = False
    readonly_fields = ("test_type", "result", "summary", "evidence_url", "recorded_by", "recorded_at")

    def has_add_permission(self, request, obj=None):
        return False


def _transition_action(name: str, label: str):
    def action(modeladmin, request, queryset):
        for change in queryset:
            try:
                services.run_transition(change_id=change.pk, name=name, actor=request.user,
                                        data={"reason": f"{label} from the admin"} if name == "cancel" else {})
            except GateRefused as refusal:
                modeladmin.message_user(request, f"{change.reference}: " + "; ".join(
                    m.message for m in refusal.missing), messages.ERROR)
            except (PermissionDenied, Conflict, ValidationError) as exc:
                modeladmin.message_user(request, f"{change.reference}: {exc}", messages.ERROR)
            else:
                modeladmin.message_user(request, f"{change.reference}: {label.lower()} done.", messages.SUCCESS)
    action.__name__ = f"transition_{name}"
    action.short_description = f"{label} selected changes (through the gates)"
    return action


@admin.register(ChangeRequest)
class ChangeRequestAdmin(SimpleHistoryAdmin):
    list_display = ("reference", "title", "state", "change_type", "risk_level", "owner", "planned_start")
    list_filter = ("state", "change_type", "risk_level", "category")
    search_fields = ("title", "description")
    list_select_related = ("owner",)
    inlines = [TestEvidenceInline]
    actions = [_transition_action("submit", "Submit"), _transition_action("cancel", "Cancel")]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields] + ["services"]

    def has_add_permission(self, request):
        return False  # changes are filed through the pages or the API, which run the services

    def has_delete_permission(self, request, obj=None):
        return False  # change records are retained (POLICY §9)


@admin.register(Service)
class ServiceAdmin(SimpleHistoryAdmin):
    list_display = ("name", "owner_team", "criticality")
    list_filter = ("criticality",)
    search_fields = ("name",)


@admin.register(StandardTemplate)
class StandardTemplateAdmin(SimpleHistoryAdmin):
    list_display = ("name", "category", "active")
    list_filter = ("active", "category")


@admin.register(RollbackRecord)
class RollbackRecordAdmin(SimpleHistoryAdmin):
    list_display = ("change", "severity", "trigger", "decided_at", "completed_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Freeze)
class FreezeAdmin(SimpleHistoryAdmin):
    list_display = ("name", "kind", "starts_at", "ends_at")
    list_filter = ("kind",)

from changes import calendar_admin  # noqa: E402,F401  (the calendar's admin: windows, freezes, items)
