"""Watchers: watch and unwatch through the service (twice is refused, 409), and every transition
of a watched change reaches its watchers but not the person who made it."""
import pytest
from django.core.exceptions import PermissionDenied

from changemgmt.errors import Conflict
from changemgmt.models import LedgerEntry, Notification, NotificationKind
from changes import services as change_services
from changes.collaboration import services
from changes.collaboration.models import Watch


def test_watch_then_unwatch_each_with_a_ledger_entry(change, peer):
    before = LedgerEntry.objects.count()
    services.watch(change_id=change.pk, actor=peer)
    services.unwatch(change_id=change.pk, actor=peer)
    actions = list(LedgerEntry.objects.order_by("seq").values_list("action", flat=True))[before:]
    assert actions == ["change.watched", "change.unwatched"] and not Watch.objects.exists()


def test_watching_twice_is_refused(change, peer):
    services.watch(change_id=change.pk, actor=peer)
    before = LedgerEntry.objects.count()
    with pytest.raises(Conflict):
        services.watch(change_id=change.pk, actor=peer)
    assert LedgerEntry.objects.count() == before and Watch.objects.count() == 1


def test_unwatching_twice_is_refused(change, peer):
    services.watch(change_id=change.pk, actor=peer)
    services.unwatch(change_id=change.pk, actor=peer)
    before = LedgerEntry.objects.count()
    with pytest.raises(Conflict):
        services.unwatch(change_id=change.pk, actor=peer)
    assert LedgerEntry.objects.count() == before


def test_auditors_do_not_watch(change, auditor):
    with pytest.raises(PermissionDenied):
        services.watch(change_id=change.pk, actor=auditor)


def test_a_transition_reaches_the_watchers_not_the_actor(change, requester, peer):
    services.watch(change_id=change.pk, actor=peer)
    services.watch(change_id=change.pk, actor=requester)
    change_services.run_transition(change_id=change.pk, name="submit", actor=requester)
    told = Notification.objects.filter(kind=NotificationKind.WATCHED_TRANSITION)
    assert list(told.values_list("user__username", flat=True)) == ["bob"]
    assert "from Draft to In assessment" in told.get().body and "In assessment" in told.get().title
