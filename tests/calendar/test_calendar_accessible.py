"""The month calendar is a table to assistive technology: rows of weeks, seven cells each under
weekday headers, today marked (the week and day time grids are real tables, tests/calendar/
test_calendar_timegrid.py); the legend and notes use the muted colour only."""
import re

from django.urls import reverse
from django.utils import timezone


def test_the_month_grid_has_rows_of_seven_cells_and_marks_today(client, requester):
    client.force_login(requester)
    html = client.get(reverse("calendar:index")).content.decode()
    grid = html[html.index('class="cal-grid"'):html.index("<h2>Freezes</h2>")]
    assert 'role="table"' in grid and 'role="grid"' not in grid and 'role="gridcell"' not in grid
    rows = grid.split('role="row"')[1:]
    assert len(rows) >= 5
    assert rows[0].count('role="columnheader"') == 7
    assert all(row.count('role="cell"') == 7 for row in rows[1:])
    today = timezone.localdate()
    assert len(re.findall(r'role="cell" aria-current="date">\s*<strong>' + today.strftime("%a ") + str(today.day),
                          grid)) == 1


def test_the_calendar_has_no_inline_style_the_csp_would_refuse(client, requester):
    client.force_login(requester)
    for view, marker in (("month", 'role="row"'), ("week", '<th scope="row"'), ("day", '<th scope="row"')):
        html = client.get(reverse("calendar:index") + f"?view={view}").content.decode()
        assert "<style" not in html and " style=" not in html and "<script>" not in html and marker in html
