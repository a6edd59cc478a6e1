"""Saved filters are personal: read-only in the admin (written only by their owner, through the service)."""
from django.contrib import admin

from changemgmt.admin_base import ReadOnlyAdmin
from changes.lists.models import SavedFilter


@admin.register(SavedFilter)
class SavedFilterAdmin(ReadOnlyAdmin):
    list_display = ("user", "name", "query", "created_at")
    list_select_related = ("user",)
