"""Admin for the kernel. Policy edits go through changemgmt.policy (validated and audited);
the ledger is read-only here as everywhere."""
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from simple_history.admin import SimpleHistoryAdmin

from changemgmt import policy
from changemgmt.models import ApiToken, LedgerCheckpoint, LedgerEntry, OutboxEvent, PolicySetting, Team, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = BaseUserAdmin.fieldsets + (("Organisation", {"fields": ("team", "manager")}),)
    list_display = ("username", "email", "first_name", "last_name", "team", "manager", "is_active")
    list_select_related = ("team", "manager")
    list_filter = ("team", "groups", "is_active")


@admin.register(Team)
class TeamAdmin(SimpleHistoryAdmin):
    search_fields = ("name",)


@admin.register(PolicySetting)
class PolicySettingAdmin(SimpleHistoryAdmin):
    list_display = ("key", "reference", "updated_at")
    readonly_fields = ("key", "reference", "description", "updated_at")
    fields = ("key", "description", "reference", "value", "updated_at")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        try:
            policy.update_setting(key=obj.key, value=obj.value, actor=request.user)
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ("seq", "recorded_at", "actor_name", "action", "subject")
    search_fields = ("subject", "action", "actor_name")
    list_filter = ("action",)


@admin.register(LedgerCheckpoint)
class LedgerCheckpointAdmin(ReadOnlyAdmin):
    list_display = ("seq", "entry_hash", "signed_at")


@admin.register(OutboxEvent)
class OutboxEventAdmin(ReadOnlyAdmin):
    list_display = ("id", "topic", "created_at", "delivered_at", "attempts")
    list_filter = ("topic",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "key_hash", "created_at", "last_used_at")
    fields = ("user", "name", "prefix", "key_hash", "created_at", "last_used_at", "revoked_at")

    def has_add_permission(self, request):
        return False  # tokens are created on the user's API tokens page, which shows the secret once
