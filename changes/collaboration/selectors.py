"""Reads of the collaboration panel (page and API), each in a fixed number of queries."""
from dataclasses import dataclass

from django.db.models import Count, Max, OuterRef, Prefetch, Subquery

from changemgmt.models import User
from changes.collaboration import rules
from changes.collaboration.models import Attachment, Comment, Watch

PERSON_FIELDS = ("id", "username", "first_name", "last_name")


def comments_for(change, user):
    """The comments `user` may read, oldest first, with author and mentions (3 queries when listed)."""
    rows = (Comment.objects.filter(change=change).select_related("author")
            .only("id", "change_id", "body", "work_note", "created_at", *(f"author__{f}" for f in PERSON_FIELDS))
            .prefetch_related(Prefetch("mentions", queryset=User.objects.only(*PERSON_FIELDS))))
    return rows if rules.can_read_work_notes(user) else rows.filter(work_note=False)


def attachments_for(change):
    return Attachment.objects.filter(change=change).select_related("uploaded_by").order_by("created_at", "id")


def attachment_of(change_id: int, attachment_id: int) -> Attachment | None:
    return Attachment.objects.filter(change_id=change_id, pk=attachment_id).first()


def watcher_names(change) -> list[str]:
    return list(Watch.objects.filter(change=change).order_by("user__username").values_list("user__username", flat=True))


def version(change_id: int) -> str:
    """A stamp that moves whenever the panel would show something new — a comment, a file, a watcher —
    and, in its last part, whenever the change itself was saved (a transition, an edit: its newest
    history row). One query."""
    from changes.models import ChangeRequest

    saved = (ChangeRequest.history.model.objects.filter(id=OuterRef("pk")).order_by("-history_id")
             .values("history_id")[:1])
    row = (ChangeRequest.objects.filter(pk=change_id)
           .annotate(last_comment=Max("comments__id"), last_file=Max("attachments__id"),
                     watchers=Count("watches", distinct=True), last_watch=Max("watches__id"),
                     last_saved=Subquery(saved))
           .values("last_comment", "last_file", "watchers", "last_watch", "last_saved").first())
    if row is None:
        return ""
    return "-".join(str(row[name] or 0) for name in ("last_comment", "last_file", "watchers", "last_watch",
                                                     "last_saved"))


@dataclass
class Panel:
    """What the change page's collaboration panel shows to one person."""

    change: object
    comments: list
    attachments: list
    watchers: list[str]
    watching: bool
    can_comment: bool
    can_write_work_note: bool
    can_watch: bool
    can_attach: bool
    version: str


def panel(change, user) -> Panel:
    watchers = watcher_names(change)
    return Panel(change=change, comments=list(comments_for(change, user)), attachments=list(attachments_for(change)),
                 watchers=watchers, watching=user.username in watchers,
                 can_comment=rules.can_comment(user, change),
                 can_write_work_note=rules.can_write_work_note(user, change),
                 can_watch=rules.can_watch(user, change), can_attach=rules.can_attach(user, change),
                 version=version(change.pk))
