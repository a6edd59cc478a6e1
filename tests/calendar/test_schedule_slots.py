"""Next available slots: inside a window for the risk, after the lead time, outside freezes, and
clear of other changes on the same services."""
from datetime import datetime

from changes import services
from changes.calendar import openings
from changes.calendar.models import Freeze
from changes.models import ChangeRequest
from tests.support import factories as f

NY = f.NY


def starts(found):
    return [s.start.astimezone(NY).replace(tzinfo=None) for s in found]


def high_risk_change(requester, **overrides):
    change = services.create_change(actor=requester, data=f.complete_fields(**overrides))
    ChangeRequest.objects.filter(pk=change.pk).update(risk_level="high")
    return f.reload(change)


def test_high_risk_slots_are_tuesday_or_wednesday_after_seven_days(frozen, requester):
    change = high_risk_change(requester)  # now: Mon Nov 23 12:00; 7 days lead -> Nov 30 12:00
    found = openings.next_openings(change=change, count=3)
    assert starts(found) == [datetime(2026, 12, 1, 6, 0), datetime(2026, 12, 1, 6, 30), datetime(2026, 12, 1, 7, 0)]
    assert all(s.end - s.start == change.planned_end - change.planned_start for s in found)


def test_slots_skip_other_changes_on_the_same_service(frozen, requester):
    change = high_risk_change(requester)
    services.create_change(actor=requester, data=f.complete_fields(
        title="Blocker", planned_start=datetime(2026, 12, 1, 6, 0, tzinfo=NY).isoformat(),
        planned_end=datetime(2026, 12, 1, 9, 30, tzinfo=NY).isoformat()))
    # The change itself does not block its own slots; the blocker leaves Tuesday 09:30-10:00 (too short).
    assert starts(openings.next_openings(change=change, count=1)) == [datetime(2026, 12, 2, 6, 0)]


def test_slots_skip_freezes_and_respect_the_window_end(frozen, requester):
    change = high_risk_change(requester)
    Freeze.objects.create(name="Launch", reason="Product launch", kind="soft",
                          starts_at=datetime(2026, 12, 1, 0, 0, tzinfo=NY),
                          ends_at=datetime(2026, 12, 3, 0, 0, tzinfo=NY))
    found = openings.next_openings(change=change, count=8)
    # Dec 8 and 9 (Tue/Wed) 06:00-10:00: a one-hour change starts at the latest at 09:00.
    tuesday = [datetime(2026, 12, 8, h, m) for h, m in [(6, 0), (6, 30), (7, 0), (7, 30), (8, 0), (8, 30), (9, 0)]]
    assert starts(found) == tuesday + [datetime(2026, 12, 9, 6, 0)]


def test_low_risk_slots_include_monday_and_thursday_but_not_holidays(frozen, requester):
    change = services.create_change(actor=requester, data=f.complete_fields())
    found = openings.next_openings(change=change, count=1, duration=None)
    # Lead 24 h -> Tue Nov 24 12:00 (window over); Wed Nov 25 06:00 is next; Thanksgiving (Thu) is frozen.
    assert starts(found) == [datetime(2026, 11, 25, 6, 0)]
    later = openings.next_openings(change=change, count=9)
    assert datetime(2026, 11, 26, 6, 0) not in starts(later)
    assert datetime(2026, 11, 30, 6, 0) not in starts(later)  # end-of-month soft freeze
    assert datetime(2026, 12, 1, 6, 0) in starts(later)


def test_no_slot_within_the_horizon_gives_an_empty_list(frozen, requester):
    change = high_risk_change(requester)
    assert openings.next_openings(change=change, count=3, horizon_days=5) == []
