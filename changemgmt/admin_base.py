"""The two kinds of admin page: audited (every save and delete calls a service) and read-only.

An audited admin runs its service while the form is validated, inside the admin's transaction, so a
refusal from the service (ValidationError, PermissionDenied) becomes an error on the form: the page
comes back with what was typed and the error, and nothing is written or reported as saved. Deletes
(one object or "delete selected") call the service per object and report each refusal.
Read-only admins show rows (and their history where it is kept) and write nothing.
"""
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected as confirm_delete_selected
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from changemgmt.refusals import describe
from changemgmt.roles import Role, has_role

REFUSALS = (PermissionDenied, ValidationError)


class Refused(Exception):
    """A service refused a delete; carries the message for the admin page."""


def _administrator(request) -> bool:
    return has_role(request.user, Role.ADMINISTRATOR)


class AdminBase(SimpleHistoryAdmin):
    """Administrators may see every page; the history view is offered where the model keeps history."""

    def __init__(self, model, admin_site):
        super().__init__(model, admin_site)
        if not hasattr(model._meta, "simple_history_manager_attribute"):
            self.object_history_template = admin.ModelAdmin.object_history_template
            self.change_form_template = admin.ModelAdmin.change_form_template

    def history_view(self, request, object_id, extra_context=None):
        if not hasattr(self.model._meta, "simple_history_manager_attribute"):
            return admin.ModelAdmin.history_view(self, request, object_id, extra_context)
        return super().history_view(request, object_id, extra_context)

    def has_module_permission(self, request):
        return _administrator(request) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return _administrator(request) or super().has_view_permission(request, obj)


class ReadOnlyAdmin(AdminBase):
    """Viewable; nothing is added, changed or deleted from here (actions may still call services)."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    """Rows shown inside a parent's page (list them in `readonly_fields`), never added, edited or deleted
    there: the read-only counterpart of ReadOnlyAdmin for inlines."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ServiceForm:
    """Mixed into the admin's ModelForm: once the form is valid, the admin's service saves the
    instance; its refusal becomes form errors. `save` then returns what the service saved."""

    _service_save = None  # bound by AuditedAdmin.get_form

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        try:
            self.instance = self._service_save(self)
        except ValidationError as exc:
            self._add_refusal(exc)
        except PermissionDenied as exc:
            self.add_error(None, str(exc))

    def _add_refusal(self, exc: ValidationError) -> None:
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc)
            return
        for field, errors in exc.message_dict.items():
            if field in self.fields:
                self.add_error(field, errors)
            else:
                self.add_error(None, [f"{field.replace('_', ' ')}: {message}" for message in errors])

    def save(self, commit=True):
        return self.instance

    def save_m2m(self):
        """Many-to-many values were set by the service."""


class AuditedAdmin(AdminBase):
    """Saves call `service_save(request, obj, form)`, which returns the saved object; deletes call
    `service_delete(request, obj)`. Without a `service_delete`, nothing is deleted here."""

    def service_save(self, request, obj, form):
        raise NotImplementedError

    service_delete = None

    def has_add_permission(self, request, *args):
        return _administrator(request) or super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return _administrator(request) or super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if self.service_delete is None:
            return False
        return _administrator(request) or super().has_delete_permission(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)

        def service_save(form):
            return self.service_save(request, form.instance, form)

        return type(form_class.__name__, (ServiceForm, form_class), {"_service_save": staticmethod(service_save)})

    def save_form(self, request, form, change):
        return form.instance

    def save_model(self, request, obj, form, change):
        """Saved by the service while the form was validated."""

    def save_related(self, request, form, formsets, change):
        """Related values were set by the service."""

    def delete_model(self, request, obj):
        try:
            self.service_delete(request, obj)
        except REFUSALS as exc:
            raise Refused(describe(exc)) from exc

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except Refused as refusal:  # raised inside the view's transaction, which is rolled back
            self.message_user(request, str(refusal), messages.ERROR)
            return redirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
                                    args=[object_id], current_app=self.admin_site.name))

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            actions["delete_selected"] = (delete_selected_through_services, "delete_selected",
                                          actions["delete_selected"][2])
        return actions


def delete_selected_through_services(modeladmin, request, queryset):
    """Django's "delete selected", whose confirmed deletes go one by one through the service."""
    if not request.POST.get("post"):
        return confirm_delete_selected(modeladmin, request, queryset)
    deleted = 0
    for obj in queryset:
        label = str(obj)
        try:
            with transaction.atomic():
                modeladmin.delete_model(request, obj)
        except Refused as refusal:
            modeladmin.message_user(request, f"{label}: {refusal}", messages.ERROR)
        else:
            deleted += 1
    if deleted:
        modeladmin.message_user(request, f"Deleted {deleted} {modeladmin.opts.verbose_name_plural}.",
                                messages.SUCCESS)
    return None


delete_selected_through_services.allowed_permissions = ("delete",)
