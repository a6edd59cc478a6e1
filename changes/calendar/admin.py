"""Admin for the change calendar. Windows and freezes are saved through changes.calendar.services,
so the admin gets the same validation, permission checks, ledger entries and freeze side effects
(caught changes on hold, owners told) as the pages and the API; configuration items go through
changes.catalog_services. Announced freezes are kept: neither edited nor deleted here, only lifted
(an action through the service).
Imported by changes/admin.py."""
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import PermissionDenied, ValidationError

from changemgmt.admin_base import AuditedAdmin, ReadOnlyAdmin
from changemgmt.errors import Conflict
from changemgmt.refusals import describe
from changes import catalog_services
from changes.calendar import services
from changes.calendar.forms import FreezeForm, WindowForm
from changes.calendar.models import ChangeConflict, ConfigurationItem, DeploymentWindow, Freeze


@admin.register(ConfigurationItem)
class ConfigurationItemAdmin(AuditedAdmin):
    list_display = ("name", "service")
    list_select_related = ("service",)
    list_filter = ("service",)
    search_fields = ("name", "service__name")

    def service_save(self, request, obj, form):
        return catalog_services.save_configuration_item(actor=request.user, item=obj)

    def service_delete(self, request, obj):
        catalog_services.delete_configuration_item(actor=request.user, item=obj)


@admin.register(DeploymentWindow)
class DeploymentWindowAdmin(AuditedAdmin):
    form = WindowForm
    list_display = ("__str__", "weekday", "starts", "ends")

    def service_save(self, request, obj, form):
        data = {key: form.cleaned_data[key] for key in ("weekday", "starts", "ends", "risks")}
        return services.save_window(actor=request.user, data=data, window_id=obj.pk)

    def service_delete(self, request, obj):
        services.delete_window(actor=request.user, window_id=obj.pk)


class LiftActionForm(ActionForm):
    """The changelist's action bar with the reason the "lift" action passes to the service."""

    reason = forms.CharField(required=False, label="Reason (to lift)")


@admin.action(description="Lift selected freezes now (with the reason typed)")
def lift_selected(modeladmin, request, queryset):
    for freeze in queryset:
        try:
            lifted = services.lift_freeze(actor=request.user, freeze_id=freeze.pk,
                                          reason=request.POST.get("reason", ""))
        except (PermissionDenied, ValidationError) as exc:
            modeladmin.message_user(request, f"{freeze.name}: {describe(exc)}", messages.ERROR)
        except Conflict as exc:
            modeladmin.message_user(request, exc.message, messages.ERROR)
        else:
            modeladmin.message_user(request, f"{freeze.name}: lifted; {len(lifted.told)} change owner(s) told.",
                                    messages.SUCCESS)


@admin.register(Freeze)
class FreezeAdmin(AuditedAdmin):
    """Freezes are announced here (which holds the changes they catch); once saved they are read-only
    and can only be lifted, through the service, by the "lift" action."""

    form = FreezeForm
    action_form = LiftActionForm
    actions = [lift_selected]
    list_display = ("name", "kind", "starts_at", "ends_at", "lifted_at", "created_by")
    list_filter = ("kind",)

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def service_save(self, request, obj, form):
        data = {key: form.cleaned_data[key] for key in ("name", "reason", "kind")}
        data |= {"starts_at": form.cleaned_data["starts_at"].isoformat(),
                 "ends_at": form.cleaned_data["ends_at"].isoformat(),
                 "services": [s.pk for s in form.cleaned_data["services"]]}
        preview = services.announce_freeze(actor=request.user, data=data)
        messages.info(request, f"{len(preview.caught)} scheduled change(s) caught: "
                               + (", ".join(c.reference for c in preview.caught) or "none"))
        return preview.freeze


@admin.register(ChangeConflict)
class ChangeConflictAdmin(ReadOnlyAdmin):
    list_display = ("change", "other", "overlap_start", "overlap_end", "detected_at")
    list_select_related = ("change", "other")
