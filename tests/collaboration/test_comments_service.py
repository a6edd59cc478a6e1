"""Comments and work notes through the one service: @mentions notify through the inbox (and e-mail
preferences), watchers hear of comments, work notes stay hidden from requesters, every write has its
ledger entry and a refusal writes nothing."""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from changemgmt.models import LedgerEntry, Notification, NotificationKind
from changes.collaboration import selectors, services
from changes.collaboration.models import Comment, Watch


def comment(change, actor, body, **extra):
    return services.add_comment(change_id=change.pk, actor=actor, data={"body": body, **extra})


def test_a_mention_notifies_the_person_named_once(change, requester, peer):
    before = LedgerEntry.objects.count()
    saved = comment(change, requester, "@bob please check the rollback plan, thanks @bob.")
    assert list(saved.mentions.values_list("username", flat=True)) == ["bob"]
    told = Notification.objects.filter(user=peer, kind=NotificationKind.MENTIONED)
    assert told.count() == 1 and "/changes/" in told.get().url and "rollback plan" in told.get().body
    entry = LedgerEntry.objects.order_by("-seq").first()
    assert LedgerEntry.objects.count() == before + 1
    assert entry.action == "change.commented" and entry.payload["mentions"] == ["bob"]


def test_an_email_address_is_not_a_mention(change, requester, peer):
    saved = comment(change, requester, "Mail ops@bob.example.com for access.")
    assert not saved.mentions.exists()


def test_an_unknown_mention_is_refused_and_nothing_is_written(change, requester):
    before = (Comment.objects.count(), LedgerEntry.objects.count(), Notification.objects.count())
    with pytest.raises(ValidationError) as refusal:
        comment(change, requester, "@nobody-here look at this")
    assert "@nobody-here" in refusal.value.message_dict["body"][0]
    assert (Comment.objects.count(), LedgerEntry.objects.count(), Notification.objects.count()) == before


def test_a_person_without_a_role_cannot_be_mentioned(change, requester, outsider):
    with pytest.raises(ValidationError):
        comment(change, requester, "@olga hello")


def test_commenting_makes_the_author_a_watcher_and_tells_other_watchers(change, requester, peer, manager):
    services.watch(change_id=change.pk, actor=manager)
    comment(change, requester, "Starting the dry run now.")
    assert Watch.objects.filter(change=change, user=requester).exists()
    assert Notification.objects.filter(user=manager, kind=NotificationKind.WATCHED_COMMENT).count() == 1
    assert not Notification.objects.filter(user=requester).exclude(kind=NotificationKind.APPROVAL_REQUESTED).exists()


def test_a_mentioned_watcher_is_told_once(change, requester, peer):
    services.watch(change_id=change.pk, actor=peer)
    comment(change, requester, "@bob over to you")
    assert Notification.objects.filter(user=peer).count() == 1


def test_work_notes_are_hidden_from_requesters(change, requester, peer):
    comment(change, peer, "Internal: vendor ticket 4411 opened.", work_note=True)
    comment(change, peer, "Public: looks good.")
    assert [c.body for c in selectors.comments_for(change, requester)] == ["Public: looks good."]
    assert len(selectors.comments_for(change, peer)) == 2
    assert LedgerEntry.objects.order_by("-seq")[1].action == "change.work_noted"


def test_a_requester_may_not_write_a_work_note(change, requester):
    with pytest.raises(PermissionDenied):
        comment(change, requester, "secret", work_note=True)
    assert not Comment.objects.exists()


def test_a_work_note_may_not_mention_a_requester(change, requester, peer):
    with pytest.raises(ValidationError) as refusal:
        comment(change, peer, "@alice should not see this", work_note=True)
    assert "cannot read work notes" in refusal.value.message_dict["body"][0]


def test_watchers_who_are_requesters_do_not_hear_of_work_notes(change, requester, peer):
    services.watch(change_id=change.pk, actor=requester)
    comment(change, peer, "internal", work_note=True)
    assert not Notification.objects.filter(user=requester, kind=NotificationKind.WATCHED_COMMENT).exists()


def test_auditors_do_not_comment(change, auditor):
    with pytest.raises(PermissionDenied):
        comment(change, auditor, "hello")


@pytest.mark.parametrize("data, field", [({"body": ""}, "body"), ({"body": "x" * 10_001}, "body"),
                                         ({"body": "hi", "colour": "red"}, "colour")])
def test_bad_input_names_the_field(change, requester, data, field):
    with pytest.raises(ValidationError) as refusal:
        services.add_comment(change_id=change.pk, actor=requester, data=data)
    assert field in refusal.value.message_dict
    assert not Comment.objects.exists()


def test_the_mention_email_follows_the_preference(change, requester, peer, manager, mailoutbox,
                                                 django_capture_on_commit_callbacks):
    from changemgmt.notifications.services import set_email_preferences

    set_email_preferences(user=peer, enabled_kinds=set(NotificationKind.values) - {NotificationKind.MENTIONED})
    with django_capture_on_commit_callbacks(execute=True):
        comment(change, requester, "@bob and @mia: one question")
    assert [m.to for m in mailoutbox] == [["mia@example.com"]] and "mentioned you" in mailoutbox[0].subject
    assert Notification.objects.filter(user=peer, kind=NotificationKind.MENTIONED).count() == 1  # inbox row kept
