"""In a real browser under the Content-Security-Policy: Chart.js (from our static files) draws every chart of
the metrics page from its json_script data, and the browser reports no blocked script."""
from datetime import timedelta

import pytest
from django.utils import timezone

from changemgmt.roles import Role
from changes.models import ChangeRequest
from tests.browser.conftest import browser, log_in, needs_chromium, plain_http_cookies, playwright_sync  # noqa: F401
from tests.support import factories as f

pytestmark = [pytest.mark.browser, needs_chromium]
CHARTS = ["chart-rates", "chart-lead-time", "chart-volume", "chart-calibration", "chart-scores"]


@pytest.mark.django_db(transaction=True)
def test_every_chart_is_drawn_under_the_policy(live_server, browser, plain_http_cookies):  # noqa: F811
    f.make_user("ada", Role.ADMINISTRATOR)
    author = f.make_user("alice", Role.REQUESTER, team="Payments")
    now = timezone.now()
    for outcome in ("successful", "successful", "failed"):
        ChangeRequest.objects.create(title="done", requester=author, team=author.team, risk_level="low",
                                     state="closed", outcome=outcome, submitted_at=now - timedelta(hours=3),
                                     deployed_at=now - timedelta(hours=1))
    page = log_in(browser, live_server, "ada")
    violations = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text else None)
    page.goto(f"{live_server.url}/metrics/?period=30d")
    page.wait_for_function("() => window.Chart !== undefined")
    drawn = page.evaluate("ids => ids.map(id => !!window.Chart.getChart(document.getElementById(id)))", CHARTS)
    assert drawn == [True] * len(CHARTS)
    playwright_sync.expect(page.locator("#measures")).to_contain_text("66.7")
    assert violations == []
