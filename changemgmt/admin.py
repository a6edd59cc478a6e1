"""Admin for the kernel. People, teams, roles, tokens and policy are saved through their services
(changemgmt.people_services, changemgmt.policy_services): validated, in the row history and in the ledger.
Roles (groups), the ledger, its checkpoints and the outbox are read-only here as everywhere."""
from contextvars import ContextVar

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.contrib.auth.models import Group

from changemgmt import people_services, policy_services
from changemgmt.admin_base import AuditedAdmin, ReadOnlyAdmin
from changemgmt.models import ApiToken, LedgerCheckpoint, LedgerEntry, OutboxEvent, PolicySetting, Team, User
from changemgmt.webhooks import admin as webhooks_admin  # noqa: F401  (subscriptions and deliveries, read-only)

_password_actor = ContextVar("password_actor", default=None)


class PasswordChangeForm(AdminPasswordChangeForm):
    """The admin's "change password" form, saved through people_services.set_password."""

    def save(self, commit=True):
        people_services.set_password(actor=_password_actor.get(), user=self.user,
                                     password=self.cleaned_data["password1"]
                                     if self.cleaned_data.get("set_usable_password", True) else None)
        return self.user


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    fieldsets = BaseUserAdmin.fieldsets + (("Organisation", {"fields": ("team", "manager")}),)
    list_display = ("username", "email", "first_name", "last_name", "team", "manager", "is_active")
    list_select_related = ("team", "manager")
    list_filter = ("team", "groups", "is_active")
    change_password_form = PasswordChangeForm

    def service_save(self, request, obj, form):
        data = form.cleaned_data
        usable = data.get("set_usable_password", True)
        return people_services.save_user(
            actor=request.user, user=obj, groups=data.get("groups") if "groups" in form.fields else None,
            permissions=data.get("user_permissions") if "user_permissions" in form.fields else None,
            password=data.get("password1") if usable else None)

    def user_change_password(self, request, id, form_url=""):
        token = _password_actor.set(request.user)
        try:
            return super().user_change_password(request, id, form_url)
        finally:
            _password_actor.reset(token)


@admin.register(Team)
class TeamAdmin(AuditedAdmin):
    search_fields = ("name",)

    def service_save(self, request, obj, form):
        return people_services.save_team(actor=request.user, team=obj)

    def service_delete(self, request, obj):
        people_services.delete_team(actor=request.user, team=obj)


if admin.site.is_registered(Group):
    admin.site.unregister(Group)


@admin.register(Group)
class RoleAdmin(ReadOnlyAdmin):
    """The roles are fixed (changemgmt.roles); who holds one is edited on the user."""

    search_fields = ("name",)


@admin.register(PolicySetting)
class PolicySettingAdmin(AuditedAdmin):
    list_display = ("key", "reference", "updated_at")
    readonly_fields = ("key", "reference", "description", "updated_at")
    fields = ("key", "description", "reference", "value", "updated_at")

    def has_add_permission(self, request, *args):
        return False

    def service_save(self, request, obj, form):
        policy_services.update_setting(key=obj.key, value=form.cleaned_data["value"], actor=request.user)
        return PolicySetting.objects.get(key=obj.key)


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
class ApiTokenAdmin(AuditedAdmin):
    """Tokens are issued on the user's API tokens page (which shows the secret once); here an
    administrator renames or revokes one. A revoked token stays revoked."""

    list_display = ("name", "user", "prefix", "kind", "scoped_services", "created_at", "last_used_at", "revoked_at")
    list_filter = ("kind",)
    readonly_fields = ("user", "prefix", "kind", "scoped_services", "key_hash", "created_at", "last_used_at")
    fields = ("user", "name", "prefix", "kind", "scoped_services", "key_hash", "created_at", "last_used_at",
              "revoked_at")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user").prefetch_related("services")

    @admin.display(description="services")
    def scoped_services(self, token):
        """A pipeline token's services (the gate answers it for these only); — for a personal token."""
        return ", ".join(service.name for service in token.services.all()) or "—"

    def has_add_permission(self, request, *args):
        return False

    def service_save(self, request, obj, form):
        return people_services.update_token(actor=request.user, token=obj, name=form.cleaned_data["name"],
                                            revoked_at=form.cleaned_data["revoked_at"])
