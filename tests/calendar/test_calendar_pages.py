"""Calendar pages: month, week and list views with windows, freezes and conflicts marked, filters,
links to each change, and a query count that does not grow with the number of changes."""
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from changes import services
from changes.calendar.models import ChangeConflict, Freeze
from changes.models import ChangeRequest
from tests.support import factories as f

NY = f.NY


def seed(requester, count):
    service = f.make_service()
    for index in range(count):
        start = datetime(2026, 12, 1, 6, 0, tzinfo=NY) + timedelta(days=7 * (index % 4), minutes=10 * index)
        change = ChangeRequest.objects.create(title=f"Seeded {index}", requester=requester, owner=requester,
                                              planned_start=start, planned_end=start + timedelta(hours=1),
                                              team=requester.team, risk_level="low")
        change.services.set([service])


def queries_for(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("view", ["month", "week", "list"])
def test_query_count_does_not_grow_with_changes(frozen, client, requester, view):
    client.force_login(requester)
    url = f"/calendar/?view={view}&date=2026-12-01"
    seed(requester, 3)
    client.get(url)  # warm the policy cache and the session
    small = queries_for(client, url)
    seed(requester, 30)
    assert queries_for(client, url) == small


def test_month_view_shows_changes_windows_freezes_and_conflicts(frozen, client, requester, peer):
    first = services.create_change(actor=requester, data=f.complete_fields())
    services.create_change(actor=peer, data=f.complete_fields(title="Clashing change"))
    Freeze.objects.create(name="Data-centre move", reason="DC", kind="hard",
                          starts_at=datetime(2026, 12, 9, 0, 0, tzinfo=NY),
                          ends_at=datetime(2026, 12, 10, 0, 0, tzinfo=NY))
    client.force_login(requester)
    page = client.get("/calendar/?view=month&date=2026-12-01").content.decode()
    assert f'href="/changes/{first.pk}/"' in page
    assert page.count('<span class="visually-hidden">Conflict: </span>') == 2
    assert "freeze-hard" in page and "Data-centre move" in page
    assert "freeze-soft" in page  # end of November
    assert "window: critical, high, low, medium" in page


def test_filters_by_service_team_and_risk(frozen, client, requester, peer):
    mine = services.create_change(actor=requester, data=f.complete_fields())
    search = f.make_service("search")
    theirs = services.create_change(actor=peer, data=f.complete_fields(title="Search reindex",
                                                                        services=[search.pk]))
    client.force_login(requester)
    page = client.get(f"/calendar/?view=list&date=2026-11-30&service={search.pk}").content.decode()
    assert theirs.reference in page and mine.reference not in page
    page = client.get(f"/calendar/?view=list&date=2026-11-30&team={requester.team_id}").content.decode()
    assert mine.reference in page and theirs.reference not in page
    ChangeRequest.objects.filter(pk=mine.pk).update(risk_level="high")
    page = client.get("/calendar/?view=list&date=2026-11-30&risk=high").content.decode()
    assert mine.reference in page and theirs.reference not in page


def test_actual_times_are_shown_once_deployed(frozen, client, requester):
    change = services.create_change(actor=requester, data=f.complete_fields())
    ChangeRequest.objects.filter(pk=change.pk).update(deployed_at=datetime(2026, 12, 1, 6, 20, tzinfo=NY))
    client.force_login(requester)
    page = client.get("/calendar/?view=list&date=2026-11-30").content.decode()
    assert "06:20" in page and "(actual)" in page


def test_calendar_needs_a_role(client, outsider):
    client.force_login(outsider)
    assert client.get("/calendar/").status_code == 403
    client.logout()
    assert client.get("/calendar/").status_code == 302


def test_a_busy_day_shows_six_changes_and_links_the_rest(frozen, client, requester):
    start = datetime(2026, 12, 1, 6, 0, tzinfo=NY)
    for index in range(8):
        ChangeRequest.objects.create(title=f"Busy {index}", requester=requester, planned_start=start,
                                     planned_end=start + timedelta(hours=1))
    client.force_login(requester)
    page = client.get("/calendar/?view=month&date=2026-12-01").content.decode()
    assert page.count("class=\"cal-entry") == 6 and "+2 more" in page
    assert 'href="?view=list&date=2026-12-01"' in page


def busy_month(requester, peer, per_day):
    """`per_day` changes on each of three days of December (one deployed on each day, two in conflict),
    and one planned at 23:30 New York, which is the next day in UTC."""
    service = f.make_service("busy")
    made = []
    for day in (1, 2, 3):
        for index in range(per_day):
            start = datetime(2026, 12, day, 6, 0, tzinfo=NY) + timedelta(minutes=10 * index)
            change = ChangeRequest.objects.create(title=f"Busy {day}-{index}", requester=requester,
                                                  planned_start=start, planned_end=start + timedelta(hours=1))
            change.services.set([service])
            made.append(change)
        ChangeRequest.objects.filter(pk=made[-1].pk).update(deployed_at=datetime(2026, 12, day, 5, 0, tzinfo=NY))
    late = datetime(2026, 12, 4, 23, 30, tzinfo=NY)
    made.append(ChangeRequest.objects.create(title="Late one", requester=requester, planned_start=late,
                                             planned_end=late + timedelta(minutes=20)))
    first, second = made[0], made[1]
    ChangeConflict.objects.get_or_create(change=first, other=second, defaults={
        "overlap_start": second.planned_start, "overlap_end": first.planned_end})
    return made


def test_the_month_query_count_is_the_same_for_a_quiet_and_a_busy_month(frozen, client, requester, peer):
    """A month of 3 changes and one of 30 a day: the same queries (the entries per day come from SQL)."""
    client.force_login(requester)
    url = "/calendar/?view=month&date=2026-12-01"
    busy_month(requester, peer, 1)
    client.get(url)  # warm the policy cache and the session
    quiet = queries_for(client, url)
    busy_month(requester, peer, 30)
    assert queries_for(client, url) == quiet


def test_a_busy_month_shows_each_days_first_six_by_time_with_the_actual_entries(frozen, client, requester, peer):
    made = busy_month(requester, peer, 8)
    client.force_login(requester)
    page = client.get("/calendar/?view=month&date=2026-12-01").content.decode()
    assert page.count('class="cal-entry') == 3 * 6 + 1 and page.count("+3 more") == 3  # 8 planned + 1 actual
    deployed = made[7]
    # The actual entry (05:00) comes first in its day, before the planned ones from 06:00.
    assert f'class="cal-entry risk-grey actual" href="/changes/{deployed.pk}/"' in page
    assert f"05:00 {deployed.reference} Busy 1-7" in page and "Busy 1-4<" in page and "Busy 1-5<" not in page
    assert page.count('<span class="visually-hidden">Conflict: </span>') == 2
    # 23:30 in New York is the next day in UTC: the entry stays on its local day, the 4th.
    fourth = page.index("Fri 4</strong>")
    assert fourth < page.index("23:30 CHG-") < page.index("Sat 5</strong>")
