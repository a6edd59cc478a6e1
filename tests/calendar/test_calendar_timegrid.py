"""The week and day views: a time grid (an hour per row, a day per column, row and column headers)
with windows drawn over their hours, freezes shaded, today marked, cancelled and rejected changes
struck with their state, the month view's filters, prev/next/today links, a bad parameter falling
back to a sensible page, and a query count that does not grow with the number of changes."""
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from changes import services
from changes.calendar.models import Freeze
from changes.choices import State
from changes.models import ChangeRequest
from tests.support import factories as f

WEEK = f"{f.PLANNED_START:%Y-%m-%d}"  # the week of a complete change's plan (Tuesday 06:00-07:00)


def grid(client, query) -> str:
    response = client.get(reverse("calendar:index") + "?" + query)
    assert response.status_code == 200
    html = response.content.decode()
    return html[html.index('<table class="cal-timegrid'):html.index("</table>")]


def test_the_week_view_is_a_table_of_hours_by_days(frozen, client, requester):
    client.force_login(requester)
    table = grid(client, f"view=week&date={WEEK}")
    assert table.count('<th scope="row" class="cal-hour">') == 24
    assert "<caption>" in table and table.count('<th scope="col"') == 8  # the hour column and seven days
    assert '<th scope="row" class="cal-hour">06:00</th>' in table
    day = grid(client, f"view=day&date={WEEK}")
    assert day.count('<th scope="row" class="cal-hour">') == 24 and day.count('<th scope="col"') == 2


def test_changes_windows_and_freezes_are_drawn_on_their_hours(frozen, client, requester):
    change = services.create_change(actor=requester, data=f.complete_fields())
    start = f.PLANNED_START
    Freeze.objects.create(name="Core switch swap", reason="network", kind="hard", starts_at=start + timedelta(hours=8),
                          ends_at=start + timedelta(hours=10))
    client.force_login(requester)
    table = grid(client, f"view=day&date={WEEK}")
    six = table[table.index(">06:00</th>"):table.index(">07:00</th>")]
    assert f'href="/changes/{change.pk}/"' in six and "06:00–07:00" in six and change.reference in six
    assert "cal-window" in six and re.search(r"Window \d\d:\d\d–\d\d:\d\d · [a-z, ]+", table)
    fourteen = table[table.index(">14:00</th>"):table.index(">15:00</th>")]
    assert "freeze-hard" in fourteen and "Core switch swap (hard freeze)" in fourteen
    fifteen = table[table.index(">15:00</th>"):table.index(">16:00</th>")]
    assert "freeze-hard" in fifteen and "Core switch swap" not in fifteen  # labelled where it begins
    assert "freeze-hard" not in table[table.index(">16:00</th>"):table.index(">17:00</th>")]


def test_today_is_marked_in_the_week_and_day_views(frozen, client, requester):
    client.force_login(requester)
    today = f"{f.NOW:%Y-%m-%d}"
    for view in ("week", "day"):
        table = grid(client, f"view={view}&date={today}")
        assert table.count('aria-current="date"') == 1 and "today</span>" in table
    assert 'aria-current="date"' not in grid(client, f"view=week&date={WEEK}")


@pytest.mark.parametrize("state", [State.CANCELLED, State.REJECTED])
def test_cancelled_and_rejected_changes_are_shown_struck_with_their_state(frozen, client, requester, state):
    change = services.create_change(actor=requester, data=f.complete_fields())
    ChangeRequest.objects.filter(pk=change.pk).update(state=state)
    client.force_login(requester)
    table = grid(client, f"view=week&date={WEEK}")
    block = table[table.index("cal-block"):]
    block = block[:block.index("</div>")]
    assert "cal-muted" in block and change.reference in block
    assert f'<span class="cal-state">{State(state).label}</span>' in block
    assert "Reschedule" not in block  # nobody moves a change that will not happen


def test_the_filters_apply_to_the_week_view(frozen, client, requester, peer):
    mine = services.create_change(actor=requester, data=f.complete_fields())
    search = f.make_service("search")
    theirs = services.create_change(actor=peer, data=f.complete_fields(title="Search reindex", services=[search.pk]))
    client.force_login(requester)
    table = grid(client, f"view=week&date={WEEK}&service={search.pk}")
    assert theirs.reference in table and mine.reference not in table
    table = grid(client, f"view=week&date={WEEK}&team={requester.team_id}")
    assert mine.reference in table and theirs.reference not in table
    ChangeRequest.objects.filter(pk=mine.pk).update(risk_level="high")
    table = grid(client, f"view=day&date={WEEK}&risk=high")
    assert mine.reference in table and theirs.reference not in table


def test_previous_next_and_today_links_keep_the_view_and_filters(frozen, client, requester):
    client.force_login(requester)
    service = f.make_service()
    html = client.get(f"/calendar/?view=day&date={WEEK}&service={service.pk}").content.decode()
    day = f.PLANNED_START.date()
    assert f'href="?view=day&date={day - timedelta(days=1):%Y-%m-%d}&service={service.pk}"' in html
    assert f'href="?view=day&date={day + timedelta(days=1):%Y-%m-%d}&service={service.pk}"' in html
    assert f'href="?view=day&service={service.pk}">Today' in html
    html = client.get(f"/calendar/?view=week&date={WEEK}").content.decode()
    monday = day - timedelta(days=day.weekday())
    assert f'href="?view=week&date={monday - timedelta(days=7):%Y-%m-%d}"' in html
    assert f'href="?view=week&date={monday + timedelta(days=7):%Y-%m-%d}"' in html
    assert f'href="?view=day&date={day:%Y-%m-%d}"' in html  # each day's header opens its day view
    assert '<option value="day" selected>Day</option>' in client.get("/calendar/?view=day").content.decode()


def test_an_unknown_view_falls_back_to_the_month_and_a_bad_date_to_today(frozen, client, requester):
    client.force_login(requester)
    assert "Month view from" in client.get("/calendar/?view=fortnight").content.decode()
    html = client.get("/calendar/?view=day&date=yesterday").content.decode()
    assert f'name="date" value="{f.NOW:%Y-%m-%d}"' in html and 'aria-current="date"' in html


def test_conflicts_show_on_the_grid_and_operations_may_move_any_change(frozen, client, requester, peer, operations):
    first = services.create_change(actor=requester, data=f.complete_fields())
    services.create_change(actor=peer, data=f.complete_fields(title="Clashing change"))
    client.force_login(operations)
    table = grid(client, f"view=day&date={WEEK}")
    assert table.count('<span class="visually-hidden">Conflict: </span>') == 2
    assert table.count('class="cal-reschedule"') == 2 and f"Reschedule {first.reference}" in table


def test_the_day_the_clocks_change_still_has_its_grid(frozen, client, requester):
    client.force_login(requester)
    day = f.NOW
    while (day + timedelta(days=1)).utcoffset() == day.utcoffset():  # the next clock change
        day += timedelta(days=1)
    for moment in (day, day + timedelta(days=1)):
        assert grid(client, f"view=day&date={moment:%Y-%m-%d}").count('<th scope="row"') == 24


@pytest.mark.parametrize("query", ["view=fortnight", "view=week&date=yesterday", "view=day&date=2026-02-30",
                                   "view=week&service=abc&team=-1&risk=huge", "view=day&service=99999999999999"])
def test_bad_parameters_fall_back_to_a_sensible_page(frozen, client, requester, query):
    client.force_login(requester)
    response = client.get("/calendar/?" + query)
    assert response.status_code == 200 and "Change calendar" in response.content.decode()


def test_a_date_out_of_range_is_a_400_not_a_500(frozen, client, requester):
    client.force_login(requester)
    assert client.get("/calendar/?view=week&date=9999-12-31").status_code == 400
    assert client.get("/calendar/?view=day&date=0001-01-01").status_code in (200, 400)


def seed(requester, count):
    service = f.make_service()
    for index in range(count):
        start = f.PLANNED_START + timedelta(days=index % 5, minutes=10 * index)
        change = ChangeRequest.objects.create(title=f"Seeded {index}", requester=requester, owner=requester,
                                              planned_start=start, planned_end=start + timedelta(hours=1),
                                              team=requester.team, risk_level="low",
                                              state=State.CANCELLED if index % 3 == 0 else State.DRAFT)
        change.services.set([service])


@pytest.mark.parametrize("view", ["week", "day"])
def test_the_time_grid_query_count_does_not_grow_with_changes(frozen, client, requester, view,
                                                              django_assert_num_queries):
    client.force_login(requester)
    url = f"/calendar/?view={view}&date={WEEK}"
    seed(requester, 3)
    client.get(url)  # warm the policy cache and the session
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    seed(requester, 40)
    with django_assert_num_queries(len(small)):
        html = client.get(url).content.decode()
    assert html.count("cal-block") >= (20 if view == "week" else 8)
