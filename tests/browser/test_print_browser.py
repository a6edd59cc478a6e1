"""The change page prints as a document: no menu, footer or forms, and every folded section opened
(static/js/app.js on `beforeprint`), then folded back after printing."""
import pytest

from changemgmt.roles import Role
from tests.browser.conftest import log_in, needs_chromium, playwright_sync
from tests.support import factories as f
from tests.support import lifecycle

expect = playwright_sync.expect
pytestmark = [pytest.mark.browser, needs_chromium]


@pytest.mark.django_db(transaction=True)
def test_printing_the_change_page_shows_every_section_and_no_menus_or_forms(live_server, browser, clock,
                                                                              plain_http_cookies):
    alice = f.make_user("alice", Role.REQUESTER, team="Payments")
    change = lifecycle.in_approval(alice)
    page = log_in(browser, live_server, "alice")
    page.goto(f"{live_server.url}/changes/{change.pk}/")
    expect(page.locator("#timeline > details")).not_to_have_attribute("open", "")
    page.emulate_media(media="print")
    page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".site-footer")).to_be_hidden()
    expect(page.locator("#timeline .timeline")).to_be_visible()
    expect(page.locator("#details dl.fields")).to_be_visible()
    expect(page.locator("main form").first).to_be_hidden()
    page.evaluate("() => window.dispatchEvent(new Event('afterprint'))")
    page.emulate_media(media="screen")
    expect(page.locator("#timeline .timeline")).to_be_hidden()
