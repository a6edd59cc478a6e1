"""Admin of the audit app: retention's tombstones (read-only), and the legal hold as two actions on the
change list ("Place a legal hold" / "Release the legal hold"), each asking for the reason on an
intermediate page and calling audit.retention.services.set_legal_hold per change."""
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse

from audit.retention import services
from audit.retention.models import Tombstone
from changemgmt.admin_base import ReadOnlyAdmin
from changemgmt.errors import Conflict
from changes.models import ChangeRequest


@admin.register(Tombstone)
class TombstoneAdmin(ReadOnlyAdmin):
    list_display = ("kind", "object_id", "reference", "record_date", "purged_at", "content_sha256")
    list_filter = ("kind",)
    search_fields = ("reference",)


def _legal_hold_action(hold: bool, label: str):
    def action(modeladmin, request, queryset):
        reason = request.POST.get("reason", "").strip()
        if "apply" not in request.POST or not reason:
            return TemplateResponse(request, "admin/audit/legal_hold.html", {
                **modeladmin.admin_site.each_context(request), "title": label, "changes": queryset,
                "action": request.POST.get("action"), "missing_reason": "apply" in request.POST,
                "opts": modeladmin.model._meta})
        for change in queryset:
            try:
                services.set_legal_hold(change_id=change.pk, actor=request.user, hold=hold, reason=reason)
            except (PermissionDenied, Conflict, ValidationError) as exc:
                modeladmin.message_user(request, f"{change.reference}: {getattr(exc, 'message', exc)}",
                                        messages.ERROR)
            else:
                modeladmin.message_user(request, f"{change.reference}: {label.lower()} done.", messages.SUCCESS)
        return None

    action.__name__ = f"legal_hold_{'place' if hold else 'release'}"
    action.short_description = label
    return action


_changes_admin = admin.site._registry.get(ChangeRequest)
if _changes_admin is not None:
    _changes_admin.actions = [*_changes_admin.actions, _legal_hold_action(True, "Place a legal hold"),
                              _legal_hold_action(False, "Release the legal hold")]
