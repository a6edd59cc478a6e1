"""Shared set-up of the browser tests: Debian's Chromium driven by Playwright's sync API against
pytest-django's live server, with fake time that keeps ticking in the server thread too."""
import os
from datetime import datetime

import pytest
import time_machine

from tests.support import factories as f

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop in this thread.
playwright_sync = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium tries hosts this closed network refuses.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-component-update", "--disable-sync"]
needs_chromium = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium")


@pytest.fixture
def browser():
    with playwright_sync.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def clock():
    """Fake time that keeps ticking, shared by the test and the live server thread. It starts at the
    Monday noon after the real date, so the browser's own (real) clock keeps the server's cookies."""
    with time_machine.travel(f.monday_noon_after(datetime.now(tz=f.NY)), tick=True) as traveller:
        yield traveller


@pytest.fixture
def plain_http_cookies(settings):
    """The live server speaks plain HTTP; production settings mark cookies Secure."""
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False


def log_in(browser, live_server, username, *, password=f.PASSWORD, **context_options):
    """A fresh browser context (its own cookies, and any Playwright context options) logged in as
    `username`, on the page after login."""
    page = browser.new_context(viewport={"width": 1280, "height": 900}, **context_options).new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login/" not in url)
    return page
