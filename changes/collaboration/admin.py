"""Admin of the collaboration panel: comments, watches and attachments are records, read-only here
(written only through changes.collaboration.services, each with its ledger entry)."""
from django.contrib import admin

from changemgmt.admin_base import ReadOnlyAdmin
from changes.collaboration.models import Attachment, Comment, Watch


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "change", "author", "work_note")
    list_filter = ("work_note",)
    list_select_related = ("change", "author")
    search_fields = ("body",)


@admin.register(Watch)
class WatchAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "change", "user")
    list_select_related = ("change", "user")


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "change", "filename", "size", "sha256", "uploaded_by")
    list_select_related = ("change", "uploaded_by")
    search_fields = ("filename", "sha256")
    exclude = ("file",)  # the file is downloaded from the change page, where reading it is checked
    readonly_fields = ("change", "uploaded_by", "filename", "content_type", "size", "sha256", "created_at")
