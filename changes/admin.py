"""Admin for change requests and the catalog. Changes are read-only here; their actions call
changes.services.run_transition, so the admin obeys the same gates, permissions and audit as the
pages and the API. Services and templates are saved through changes.catalog_services."""
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError

from changemgmt.admin_base import AuditedAdmin, ReadOnlyAdmin, ReadOnlyInline
from changemgmt.errors import Conflict, GateRefused
from changes import catalog_services, services
from changes.calendar import admin as calendar_admin  # noqa: F401  (the calendar's admin: windows, freezes, items)
from changes.models import ChangeRequest, RollbackRecord, Service, StandardTemplate, TestEvidence


class TestEvidenceInline(ReadOnlyInline):
    model = TestEvidence
    readonly_fields = ("test_type", "result", "summary", "evidence_url", "recorded_by", "recorded_at")


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
class ChangeRequestAdmin(ReadOnlyAdmin):
    """Changes are filed and edited through the pages or the API; records are retained (POLICY §9)."""

    list_display = ("reference", "title", "state", "change_type", "risk_level", "owner", "planned_start")
    list_filter = ("state", "change_type", "risk_level", "category")
    search_fields = ("title", "description")
    list_select_related = ("owner",)
    inlines = [TestEvidenceInline]
    actions = [_transition_action("submit", "Submit"), _transition_action("cancel", "Cancel")]


@admin.register(Service)
class ServiceAdmin(AuditedAdmin):
    list_display = ("name", "owner_team", "criticality")
    list_filter = ("criticality",)
    search_fields = ("name",)

    def service_save(self, request, obj, form):
        return catalog_services.save_service(actor=request.user, service=obj)

    def service_delete(self, request, obj):
        catalog_services.delete_service(actor=request.user, service=obj)


@admin.register(StandardTemplate)
class StandardTemplateAdmin(AuditedAdmin):
    list_display = ("name", "category", "active")
    list_filter = ("active", "category")

    def service_save(self, request, obj, form):
        return catalog_services.save_template(actor=request.user, template=obj)

    def service_delete(self, request, obj):
        catalog_services.delete_template(actor=request.user, template=obj)


@admin.register(RollbackRecord)
class RollbackRecordAdmin(ReadOnlyAdmin):
    list_display = ("change", "severity", "trigger", "decided_at", "completed_at")


from changes.collaboration import admin as collaboration_admin  # noqa: E402,F401  (comments, watches, files)
from changes.emergency import admin as emergency_admin  # noqa: E402,F401  (registers the emergency records' admin)
from changes.lists import admin as lists_admin  # noqa: E402,F401  (saved filters)
from changes.pipeline import admin as pipeline_admin  # noqa: E402,F401  (registers the pipeline gate admin)
from changes.review import admin as review_admin  # noqa: E402,F401  (registers the review follow-ups admin)
