"""The demo has conversations: comments between a reviewer and the author with an @mention, and work
notes — written through changes.collaboration.services, so each is in the ledger, the person mentioned
has it in their inbox, and the writers watch the change."""
from io import StringIO

from django.core.management import call_command

from changemgmt.models import LedgerEntry, Notification, NotificationKind
from changes.collaboration.models import Comment, Watch


def test_the_demo_writes_comments_work_notes_and_mentions_through_the_service(db):
    call_command("demo", stdout=StringIO())

    comments = Comment.objects.select_related("author", "change").prefetch_related("mentions")
    assert comments.filter(work_note=False).count() >= 3 and comments.filter(work_note=True).count() >= 2
    mention = comments.get(author__username="bob")
    [mentioned] = mention.mentions.all()
    assert mentioned == mention.change.requester and f"@{mentioned.username}" in mention.body
    assert Notification.objects.filter(user=mentioned, kind=NotificationKind.MENTIONED,
                                       title__contains=mention.change.reference).exists()
    assert comments.filter(work_note=True, mentions__username="bob").exists()
    assert LedgerEntry.objects.filter(action="change.commented").count() == comments.filter(work_note=False).count()
    assert LedgerEntry.objects.filter(action="change.work_noted").count() == comments.filter(work_note=True).count()
    assert Watch.objects.filter(change=mention.change, user=mention.author).exists()
    # the conversation reads in order, among the change's other steps
    times = list(comments.filter(change=mention.change).values_list("created_at", flat=True))
    assert times == sorted(times) and len(set(times)) == len(times)
