"""Conflicts [POLICY §6]: two changes on the same service or configuration item in overlapping time,
detected on every save, stored once, shown on both changes, told to both owners."""
from datetime import datetime

import pytest

from changemgmt import events
from changemgmt.models import LedgerEntry
from changes import services
from changes.calendar import conflicts
from changes.calendar.models import ChangeConflict, ConfigurationItem
from tests.support import factories as f

NY = f.NY


@pytest.fixture
def detected():
    seen = []

    def handler(**payload):
        seen.append(payload)

    events.subscribe("change.conflict_detected", handler)
    yield seen
    events._subscribers["change.conflict_detected"].remove(handler)


def plan(start_hour, end_hour, day=1, minute=0):
    return {"planned_start": datetime(2026, 12, day, start_hour, minute, tzinfo=NY).isoformat(),
            "planned_end": datetime(2026, 12, day, end_hour, 0, tzinfo=NY).isoformat()}


def test_overlapping_changes_on_one_service_conflict_for_both_owners(frozen, requester, peer, detected):
    first = services.create_change(actor=requester, data=f.complete_fields(**plan(6, 8)))
    second = services.create_change(actor=peer, data=f.complete_fields(title="Payments DB index", **plan(7, 9)))
    [row] = ChangeConflict.objects.all()
    assert (row.change_id, row.other_id) == (first.pk, second.pk)
    assert row.shared == {"services": ["payments-api"], "items": []}
    assert (row.overlap_start, row.overlap_end) == (datetime(2026, 12, 1, 7, tzinfo=NY),
                                                    datetime(2026, 12, 1, 8, tzinfo=NY))
    assert [c.pk for c in conflicts.conflicts_of(first.pk)] == [c.pk for c in conflicts.conflicts_of(second.pk)]
    [event] = detected
    assert event["owner_ids"] == sorted([requester.pk, peer.pk]) and event["change_id"] == second.pk
    assert LedgerEntry.objects.filter(action="change.conflict_detected").count() == 1


def test_back_to_back_changes_and_other_services_do_not_conflict(frozen, requester):
    services.create_change(actor=requester, data=f.complete_fields(**plan(6, 7)))
    services.create_change(actor=requester, data=f.complete_fields(**plan(7, 8)))
    services.create_change(actor=requester, data=f.complete_fields(services=[f.make_service("search").pk],
                                                                   **plan(6, 8)))
    assert not ChangeConflict.objects.exists()


def test_a_configuration_item_conflicts_with_its_service_and_with_itself(frozen, requester):
    database = ConfigurationItem.objects.create(service=f.make_service(), name="payments-db")
    search = f.make_service("search")
    on_item = services.create_change(actor=requester, data=f.complete_fields(
        services=[search.pk], configuration_items=[database.pk], **plan(6, 8)))
    on_service = services.create_change(actor=requester, data=f.complete_fields(**plan(7, 8)))
    on_item_too = services.create_change(actor=requester, data=f.complete_fields(
        services=[], configuration_items=[database.pk], **plan(6, 7)))
    pairs = {(c.change_id, c.other_id): c.shared for c in ChangeConflict.objects.all()}
    assert pairs == {
        (on_item.pk, on_service.pk): {"services": ["payments-api"], "items": []},
        (on_item.pk, on_item_too.pk): {"services": ["payments-api"], "items": ["payments-api / payments-db"]},
    }


def test_rescheduling_recomputes_and_bumps_the_calendar_sequence(frozen, requester):
    first = services.create_change(actor=requester, data=f.complete_fields(**plan(6, 8)))
    second = services.create_change(actor=requester, data=f.complete_fields(**plan(7, 9)))
    assert ChangeConflict.objects.count() == 1
    services.update_change(change_id=second.pk, actor=requester, data=plan(6, 8, day=2))
    assert not ChangeConflict.objects.exists()
    assert f.reload(second).schedule_sequence == 1 and f.reload(first).schedule_sequence == 0
    services.update_change(change_id=second.pk, actor=requester, data={"title": "Renamed only"})
    assert f.reload(second).schedule_sequence == 1
    services.update_change(change_id=first.pk, actor=requester, data=plan(6, 7, day=2))
    assert ChangeConflict.objects.count() == 1


def test_cancelling_a_change_clears_its_conflicts(frozen, requester):
    first = services.create_change(actor=requester, data=f.complete_fields(**plan(6, 8)))
    services.create_change(actor=requester, data=f.complete_fields(**plan(7, 9)))
    services.run_transition(change_id=first.pk, name="cancel", actor=requester, data={"reason": "Not needed"})
    assert not ChangeConflict.objects.exists()
    assert LedgerEntry.objects.filter(action="change.conflicts_cleared").count() == 1


def test_a_kept_conflict_is_not_announced_twice(frozen, requester, detected):
    services.create_change(actor=requester, data=f.complete_fields(**plan(6, 8)))
    second = services.create_change(actor=requester, data=f.complete_fields(**plan(7, 9)))
    services.update_change(change_id=second.pk, actor=requester, data=plan(6, 9))
    assert len(detected) == 1
    assert ChangeConflict.objects.get().overlap_start == datetime(2026, 12, 1, 6, tzinfo=NY)
