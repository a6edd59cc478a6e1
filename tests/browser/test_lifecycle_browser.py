"""A new user files a change in a real browser (Debian's Chromium via Playwright), meets the refusal
checklist, completes the fields and carries the change through every state to close, while two
reviewers approve it from their own browser sessions."""
from datetime import timedelta

import pytest
from django.utils import timezone

from changemgmt.roles import Role
from changes.choices import State
from changes.models import ChangeRequest
from tests.browser.conftest import log_in, needs_chromium, playwright_sync
from tests.support import factories as f

expect = playwright_sync.expect

SCREENSHOT = "/tmp/changemgmt-change-detail.png"

pytestmark = [pytest.mark.browser, needs_chromium]


def expect_state(page, label):
    expect(page.locator(".ref-line .badge").first).to_have_text(label)


def grant_one(browser, live_server, username, change_id):
    page = log_in(browser, live_server, username)
    awaiting = page.locator("section", has=page.get_by_role("heading", name="Awaiting my decision"))
    awaiting.get_by_role("link", name=f"CHG-{change_id:06d}").click()
    approvals = page.locator("#approvals")
    approvals.get_by_label("Reason").first.fill("Plan and rollback look sound.")
    approvals.get_by_role("button", name="Grant").first.click()
    expect(page.locator(".flash-success")).to_contain_text("approval granted")
    page.context.close()


@pytest.mark.django_db(transaction=True)
def test_new_user_files_a_change_and_carries_it_to_close(live_server, browser, clock, plain_http_cookies):
    f.make_user("alice", Role.REQUESTER, team="Payments")
    f.make_user("bob", Role.PEER_REVIEWER, team="Platform")
    f.make_user("pat", Role.PEER_REVIEWER, team="Platform")
    f.make_service("payments-api")

    page = log_in(browser, live_server, "alice")
    page.get_by_role("button", name="File a change").first.click()
    page.get_by_label("Title").fill("Upgrade payments API to v2.3")
    page.get_by_role("button", name="File as draft").click()
    expect(page.locator(".flash-success")).to_contain_text("filed as a draft")
    change = ChangeRequest.objects.get()

    # Submitting the bare draft is refused with every missing item and its policy reference.
    page.get_by_role("button", name="Submit for assessment").click()
    refusal = page.locator("#step-submit")
    expect(refusal.get_by_role("alert")).to_contain_text("Refused — nothing was changed")
    for text in ["Description is required.", "Business justification is required.", "Rollback plan is required.",
                 "Proposed schedule (planned start and end) is required.", "name at least one affected service"]:
        expect(refusal.locator(".checklist")).to_contain_text(text)
    expect(refusal.locator(".checklist .policy").first).to_contain_text("POLICY §4")
    expect_state(page, "Draft")
    page.screenshot(path="/tmp/changemgmt-refusal.png")

    # Complete the fields and submit again.
    page.get_by_role("button", name="Edit").click()
    fields = f.complete_fields()
    for label, key in [("Description", "description"), ("Business justification", "business_justification"),
                       ("Systems affected", "impact_systems"), ("Users affected", "impact_users"),
                       ("Implementation plan", "implementation_plan"), ("Test plan", "test_plan"),
                       ("Rollback plan", "rollback_plan"), ("Ticket link", "ticket_url")]:
        page.get_by_label(label, exact=True).fill(fields[key])
    page.get_by_label("Affected services").select_option(label="payments-api")
    start, end = f.planned_window(timezone.now())
    page.get_by_label("Planned start").fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Planned end").fill(end.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".flash-success")).to_contain_text("saved")
    expect(page.locator("#step-submit .badge")).to_have_text("Gate holds")
    page.get_by_role("button", name="Submit for assessment").click()
    expect_state(page, "In assessment")

    # Score the risk (low on every factor), then complete the assessment: two peer slots appear.
    risk = page.locator("#risk")
    for factor in ["Systems affected", "User impact", "Data risk", "Reversibility", "Security impact"]:
        risk.get_by_label(factor).select_option(value="1")
    risk.get_by_role("button", name="Save scorecard").click()
    expect(page.locator(".flash-success")).to_contain_text("low risk")
    page.get_by_role("button", name="Complete assessment").click()
    expect_state(page, "Awaiting approval")
    expect(page.locator("#approvals tbody tr")).to_have_count(2)
    expect(page.locator("#approvals").get_by_role("button", name="Grant")).to_have_count(0)  # never the author

    # Two reviewers, each in their own browser session, grant; the last grant moves it to test.
    grant_one(browser, live_server, "bob", change.pk)
    grant_one(browser, live_server, "pat", change.pk)
    page.reload()
    expect_state(page, "In testing")

    page.locator("#tests .form-disclosure summary").click()
    page.get_by_label("Test type").select_option("unit")
    page.get_by_label("Result").select_option("passed")
    page.get_by_role("textbox", name="Summary", exact=True).fill("412 unit tests passed")
    page.get_by_role("button", name="Record evidence").click()
    expect(page.locator(".flash-success")).to_contain_text("unit test evidence")
    page.get_by_role("button", name="Testing complete").click()
    expect_state(page, "Ready to deploy")

    # Deploy inside the Tuesday window with the whole checklist.
    deploy_time = start + timedelta(minutes=15)
    clock.move_to(deploy_time)
    step = page.locator("#step-deploy")
    for checkbox in step.locator("input[type=checkbox]").all():
        checkbox.check()
    step.get_by_label("Deployment method").select_option(label="Canary")
    step.get_by_role("button", name="Record deployment").click()
    expect_state(page, "Deployed")

    # Verify once the 30-minute monitoring period has passed.
    clock.move_to(deploy_time + timedelta(minutes=31))
    step = page.locator("#step-verify")
    for checkbox in step.locator("input[type=checkbox]").all():
        checkbox.check()
    step.get_by_role("button", name="Verified in production").click()
    expect_state(page, "Verified")

    step = page.locator("#step-close")
    step.get_by_label("Outcome").select_option("successful")
    for radio in step.locator("input[type=radio][value=yes]").all():
        radio.check()
    step.get_by_label("Lessons learned").fill("Canary caught nothing; smooth.")
    step.get_by_role("button", name="Close").click()
    expect_state(page, "Closed")
    expect(page.locator(".pipeline li.pipeline-done")).to_have_count(8)
    expect(page.locator("#timeline")).to_contain_text("change.close")

    page.screenshot(path=SCREENSHOT, full_page=True)
    page.screenshot(path="/tmp/changemgmt-change-detail-top.png")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Changes").click()
    page.screenshot(path="/tmp/changemgmt-change-list.png")
    change = f.reload(change)
    assert change.state == State.CLOSED and change.outcome == "successful"
