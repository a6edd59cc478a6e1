"""Admin for the change calendar. Windows and freezes are saved through changes.calendar_services,
so the admin gets the same validation, permission checks, ledger entries and freeze side effects
(caught changes on hold, owners told) as the pages and the API. Imported by changes/admin.py."""
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from simple_history.admin import SimpleHistoryAdmin

from changes import calendar_services
from changes.calendar_forms import FreezeForm, WindowForm
from changes.models import ChangeConflict, ConfigurationItem, DeploymentWindow, Freeze


@admin.register(ConfigurationItem)
class ConfigurationItemAdmin(SimpleHistoryAdmin):
    list_display = ("name", "service")
    list_select_related = ("service",)
    list_filter = ("service",)
    search_fields = ("name", "service__name")


def _report(request, exc):
    text = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    messages.error(request, text)


@admin.register(DeploymentWindow)
class DeploymentWindowAdmin(SimpleHistoryAdmin):
    form = WindowForm
    list_display = ("__str__", "weekday", "starts", "ends")

    def save_model(self, request, obj, form, change):
        data = {key: form.cleaned_data[key] for key in ("weekday", "starts", "ends", "risks")}
        try:
            saved = calendar_services.save_window(actor=request.user, data=data, window_id=obj.pk)
        except (ValidationError, PermissionDenied) as exc:
            _report(request, exc)
            return
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        calendar_services.delete_window(actor=request.user, window_id=obj.pk)


if admin.site.is_registered(Freeze):
    admin.site.unregister(Freeze)


@admin.register(Freeze)
class FreezeAdmin(SimpleHistoryAdmin):
    """Freezes are announced here (which holds the changes they catch); once saved they are read-only."""

    form = FreezeForm
    list_display = ("name", "kind", "starts_at", "ends_at", "created_by")
    list_filter = ("kind",)

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        data = {key: form.cleaned_data[key] for key in ("name", "reason", "kind")}
        data |= {"starts_at": form.cleaned_data["starts_at"].isoformat(),
                 "ends_at": form.cleaned_data["ends_at"].isoformat(),
                 "services": [s.pk for s in form.cleaned_data["services"]]}
        try:
            preview = calendar_services.announce_freeze(actor=request.user, data=data)
        except (ValidationError, PermissionDenied) as exc:
            _report(request, exc)
            return
        obj.pk = preview.freeze.pk
        messages.info(request, f"{len(preview.caught)} scheduled change(s) caught: "
                               + (", ".join(c.reference for c in preview.caught) or "none"))

    def save_related(self, request, form, formsets, change):
        """Services were set by the service function."""


@admin.register(ChangeConflict)
class ChangeConflictAdmin(admin.ModelAdmin):
    list_display = ("change", "other", "overlap_start", "overlap_end", "detected_at")
    list_select_related = ("change", "other")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
