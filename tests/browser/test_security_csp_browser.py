"""Under the Content-Security-Policy, in a real browser: Swagger UI renders from our static files and
htmx pages work, and the browser reports no blocked script or style."""
import pytest

from changemgmt.roles import Role
from tests.browser.conftest import log_in, needs_chromium, playwright_sync
from tests.support import factories as f
from tests.support.lifecycle import filed

expect = playwright_sync.expect

pytestmark = [pytest.mark.browser, needs_chromium]


def collect_violations(page) -> list[str]:
    violations = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text else None)
    return violations


@pytest.mark.django_db(transaction=True)
def test_api_docs_and_htmx_pages_work_under_the_policy(live_server, browser, plain_http_cookies):
    filed(f.make_user("alice", Role.REQUESTER, team="Payments"))
    page = log_in(browser, live_server, "alice")
    violations = collect_violations(page)

    page.goto(f"{live_server.url}/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("changemgmt API")

    page.goto(f"{live_server.url}/changes/")
    expect(page.locator("#change-table")).to_contain_text("of 1 change")
    with page.expect_request(lambda request: request.headers.get("hx-request") == "true"):
        page.get_by_label("Search").fill("CHG-000999")
    expect(page.locator("#change-table")).to_contain_text("No changes match these filters")

    assert violations == []
