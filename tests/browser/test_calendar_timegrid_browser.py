"""A planner opens the week view in Chromium, clicks a change's reschedule link, picks one of the next
openings and saves: the plan moves through the reschedule service (every check ran again) and the
change shows at its new time; dragging it onto another hour opens the same form with that hour.
axe-core finds no critical or serious violation on the week and day views, with a window, a freeze,
today and a cancelled change on them."""
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from django.utils import timezone

from changemgmt.roles import Role
from changes.calendar.models import Freeze
from changes.choices import State
from changes.models import ChangeRequest
from tests.browser.conftest import log_in, needs_chromium, playwright_sync
from tests.support import factories as f
from tests.support import lifecycle

expect = playwright_sync.expect
pytestmark = [pytest.mark.browser, needs_chromium]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['impact']} {v['id']}: {v['help']} at {[node['target'] for node in v['nodes'][:3]]}"
            for v in result["violations"] if v["impact"] in ("critical", "serious")]


@pytest.mark.django_db(transaction=True)
def test_a_planner_reschedules_a_change_from_the_week_view(live_server, browser, clock, plain_http_cookies):
    alice = f.make_user("alice", Role.REQUESTER, team="Payments")
    change = lifecycle.submitted(alice)
    cancelled = lifecycle.filed(alice, title="Retired reindex")
    ChangeRequest.objects.filter(pk=cancelled.pk).update(state=State.CANCELLED)
    start = timezone.localtime(change.planned_start)
    Freeze.objects.create(name="Core switch swap", reason="network", kind="hard",
                          starts_at=start + timedelta(hours=8), ends_at=start + timedelta(hours=10))
    week = f"/calendar/?view=week&date={start:%Y-%m-%d}"

    page = log_in(browser, live_server, "alice")
    page.goto(live_server.url + week)
    grid = page.get_by_role("table")
    expect(grid.get_by_role("rowheader", name="06:00")).to_be_visible()
    expect(grid.locator(".cal-muted")).to_contain_text("Cancelled")
    grid.get_by_role("link", name=f"Reschedule {change.reference}").click()
    expect(page.get_by_role("heading", name=f"Reschedule {change.reference}")).to_be_visible()
    opening = page.get_by_role("list", name="Next openings").get_by_role("link").nth(1)
    picked = parse_qs(urlparse(opening.get_attribute("href")).query)["planned_start"][0]
    opening.click()
    expect(page.get_by_label("Planned start")).to_have_value(picked)
    page.get_by_label("Reason").fill("Planner moved it off the busy morning")
    page.get_by_role("button", name="Reschedule").click()
    expect(page.locator(".flash-success")).to_contain_text("rescheduled to")
    moved = f.reload(change)
    assert f"{timezone.localtime(moved.planned_start):%Y-%m-%dT%H:%M}" == picked
    page.goto(f"{live_server.url}/calendar/?view=day&date={picked[:10]}")
    expect(page.get_by_role("table")).to_contain_text(change.reference)

    # Dragging the change onto another hour opens the same form with that hour and its duration.
    target = f"{picked[:10]}T03:00"
    page.locator(f'.cal-block[data-reschedule="/calendar/changes/{change.pk}/reschedule/"]').drag_to(
        page.locator(f'td[data-start="{target}"]'))
    expect(page.get_by_label("Planned start")).to_have_value(target)
    minutes = int((moved.planned_end - moved.planned_start).total_seconds() // 60)
    expect(page.get_by_label("Planned end")).to_have_value(f"{picked[:10]}T{3 + minutes // 60:02d}:{minutes % 60:02d}")
    page.context.close()

    # axe is injected as a <script>: its own context bypasses the CSP.
    checker = log_in(browser, live_server, "alice", bypass_csp=True)
    found = {}
    for url in (week, f"/calendar/?view=day&date={start:%Y-%m-%d}", "/calendar/?view=week", "/calendar/?view=day",
                f"/calendar/changes/{change.pk}/reschedule/"):
        checker.goto(live_server.url + url)
        found[url] = axe_violations(checker)
    assert found == {url: [] for url in found}
