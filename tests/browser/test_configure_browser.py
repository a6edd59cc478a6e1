"""axe-core (from npm) finds no critical or serious violation on the configuration pages, each opened
by a user of a role that edits it, over the demo data; an invalid form (shown with its errors) too."""
from pathlib import Path

import pytest

from demo import loader
from demo.data import DEMO_PASSWORD
from tests.browser.conftest import log_in, needs_chromium

pytestmark = [pytest.mark.browser, needs_chromium]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
BAD = ("critical", "serious")
PAGES = [("carol", "/configure/"), ("carol", "/calendar/windows/"), ("carol", "/calendar/freezes/"),
         ("carol", "/cab/board/"), ("ada", "/configure/"), ("ada", "/approvals/on-call/"),
         ("ada", "/changes/catalog/configure/services/"), ("ada", "/changes/catalog/configure/items/"),
         ("ada", "/changes/catalog/configure/templates/"), ("ada", "/configure/policy/"),
         ("ada", "/configure/policy/lead_time_hours/")]


def _violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['impact']} {v['id']}: {v['help']} at {[node['target'] for node in v['nodes'][:3]]}"
            for v in result["violations"] if v["impact"] in BAD]


@pytest.mark.django_db(transaction=True)
def test_axe_finds_no_critical_or_serious_violation_on_the_configuration_pages(live_server, browser,
                                                                                plain_http_cookies):
    loader.seed()
    found, pages = {}, {}
    for username, url in PAGES:
        if username not in pages:
            pages[username] = log_in(browser, live_server, username, password=DEMO_PASSWORD, bypass_csp=True)
        page = pages[username]
        assert page.goto(live_server.url + url).status == 200, url
        if violations := _violations(page):
            found[f"{username} {url}"] = violations
    page = pages["carol"]
    page.goto(live_server.url + "/calendar/windows/")
    page.fill("#id_starts", "10:00")
    page.fill("#id_ends", "09:00")
    page.get_by_role("button", name="Save").click()
    assert page.get_by_text("The window must end after it starts").is_visible()
    if violations := _violations(page):
        found["carol invalid window form"] = violations
    assert found == {}
