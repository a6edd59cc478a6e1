"""Approve from e-mail in a real browser: a reviewer follows the Grant link of their approval-request mail,
signs in, confirms on the page, and the approval is granted, recorded as made through the e-mail link."""
import re

import pytest
from django.conf import settings

from approvals.choices import SlotStatus
from approvals.models import ApprovalSlot
from changemgmt.roles import Role
from tests.browser.conftest import needs_chromium, playwright_sync
from tests.support import factories as f
from tests.support.approvals import change_in_approval

expect = playwright_sync.expect

pytestmark = [pytest.mark.browser, needs_chromium]


@pytest.mark.django_db(transaction=True)
def test_a_reviewer_grants_from_the_link_in_their_mail(live_server, browser, clock, plain_http_cookies, mailoutbox):
    requester = f.make_user("alice", Role.REQUESTER, team="Payments")
    bob = f.make_user("bob", Role.PEER_REVIEWER, team="Platform")
    f.make_user("pat", Role.PEER_REVIEWER, team="Platform")
    change = change_in_approval(requester)  # committed: the request mails went out

    mail = next(message for message in mailoutbox if message.to == [bob.email])
    grant = re.search(r"^Grant:\s+(\S+)$", mail.body, re.MULTILINE).group(1).removeprefix(settings.SITE_URL)

    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}{grant}")  # not signed in: the login page first, then back to the link
    page.get_by_label("Username").fill("bob")
    page.get_by_label("Password").fill(f.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Grant this approval?")).to_be_visible()
    page.get_by_label("Reason").fill("Looks safe.")
    page.get_by_role("button", name="Grant", exact=True).click()
    expect(page.locator(".flash-success")).to_contain_text("granted (from your e-mail link)")

    slot = ApprovalSlot.objects.filter(change=change, decided_by=bob).get()
    assert (slot.status, slot.channel, slot.reason) == (SlotStatus.GRANTED, "email_link", "Looks safe.")
    page.context.close()
