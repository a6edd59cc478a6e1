"""Admin for the CAB. Meetings, votes, decisions and minutes are read-only here: every write goes
through cab.services, which checks the rules and records the ledger; published minutes are never
editable by anyone. Board seats are appointed and retired through cab.services.board."""
from django.contrib import admin, messages

from cab.models import ActionItem, AgendaItem, Attendance, BoardMember, Decision, Meeting, Minutes, Vote
from cab.services import board
from changemgmt.admin_base import REFUSALS, AuditedAdmin, ReadOnlyAdmin, ReadOnlyInline
from changemgmt.refusals import describe


@admin.action(description="Retire selected members (votes and minutes keep referring to them)")
def retire_members(modeladmin, request, queryset):
    for member in queryset:
        try:
            board.retire(actor=request.user, member_id=member.pk)
        except REFUSALS as exc:
            modeladmin.message_user(request, f"{member}: {describe(exc)}", messages.ERROR)
        else:
            modeladmin.message_user(request, f"{member}: retired.", messages.SUCCESS)


@admin.register(BoardMember)
class BoardMemberAdmin(AuditedAdmin):
    """Members are appointed here (through cab.services.board) and retired with the action, never
    deleted: votes and minutes keep referring to them."""

    list_display = ("user", "seat", "deputy", "active", "appointed_at")
    list_filter = ("seat", "deputy", "active")
    list_select_related = ("user",)
    fields = ("user", "seat", "deputy")
    actions = [retire_members]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def service_save(self, request, obj, form):
        return board.appoint(actor=request.user, user=obj.user, seat=obj.seat, deputy=obj.deputy)


class ItemInline(ReadOnlyInline):
    model = AgendaItem
    fields = ("position", "section", "title", "needs_decision")
    readonly_fields = fields


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ("title", "kind", "starts_at", "status", "agenda_generated_at")
    list_filter = ("kind", "status")
    inlines = [ItemInline]


@admin.register(Minutes)
class MinutesAdmin(ReadOnlyAdmin):
    list_display = ("meeting", "published_at", "published_by", "retain_until")
    list_select_related = ("meeting", "published_by")


@admin.register(Vote)
class VoteAdmin(ReadOnlyAdmin):
    list_display = ("item", "voter", "choice", "cast_at", "changed_at")
    list_select_related = ("item", "voter")


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ("item", "outcome", "decided_by", "decided_at")
    list_select_related = ("item", "decided_by")


@admin.register(Attendance)
class AttendanceAdmin(ReadOnlyAdmin):
    list_display = ("meeting", "user", "seat", "deputy", "present")
    list_select_related = ("meeting", "user")


@admin.register(ActionItem)
class ActionItemAdmin(ReadOnlyAdmin):
    list_display = ("title", "kind", "owner", "due_on", "status")
    list_filter = ("status", "kind")
    list_select_related = ("owner",)
