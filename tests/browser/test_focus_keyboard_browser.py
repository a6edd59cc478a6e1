"""Keyboard only: every action used here is reached with Tab and taken with Enter, and after each htmx
swap focus lands somewhere sensible (the refusal, the decided row), never on <body>. Also the one-click
reschedule offered by a refused submit, taken from the keyboard."""
from datetime import timedelta

import pytest
from django.utils import timezone

from changemgmt.roles import Role
from changes.choices import State
from tests.browser.conftest import log_in, needs_chromium, playwright_sync
from tests.support import factories as f
from tests.support import lifecycle

expect = playwright_sync.expect
pytestmark = [pytest.mark.browser, needs_chromium]
MAX_TABS = 120


def tab_to(page, locator) -> None:
    """Press Tab until `locator` has the focus (it must be reachable by keyboard)."""
    handle = locator.element_handle()
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("element => document.activeElement === element", handle):
            return
    raise AssertionError(f"{locator} cannot be reached with Tab")


def focused(page) -> dict:
    return page.evaluate("() => ({tag: document.activeElement.tagName, id: document.activeElement.id, "
                         "role: document.activeElement.getAttribute('role'), "
                         "row: document.activeElement.closest('tr') && document.activeElement.closest('tr').id})")


def people():
    alice = f.make_user("alice", Role.REQUESTER, team="Payments")
    bob = f.make_user("bob", Role.PEER_REVIEWER, team="Platform")
    pat = f.make_user("pat", Role.PEER_REVIEWER, team="Platform")
    return alice, bob, pat


@pytest.mark.django_db(transaction=True)
def test_an_in_place_grant_by_keyboard_leaves_focus_on_the_decided_row(live_server, browser, clock,
                                                                       plain_http_cookies):
    alice, _bob, _pat = people()
    change = lifecycle.in_approval(alice)
    slot = change.approval_slots.order_by("pk").first()
    page = log_in(browser, live_server, "bob")
    page.goto(f"{live_server.url}/approvals/queue/")
    row = page.locator(f"#slot-{slot.pk}")
    tab_to(page, row.get_by_role("button", name="Grant"))
    page.keyboard.press("Enter")
    expect(row).to_contain_text("Granted")
    where = focused(page)
    assert where["tag"] != "BODY" and where["id"] == f"slot-{slot.pk}"


@pytest.mark.django_db(transaction=True)
def test_a_refused_submit_by_keyboard_moves_focus_to_the_refusal(live_server, browser, clock, plain_http_cookies):
    alice, _bob, _pat = people()
    draft = lifecycle.filed(alice, rollback_plan="")
    page = log_in(browser, live_server, "alice")
    page.goto(f"{live_server.url}/changes/{draft.pk}/")
    tab_to(page, page.get_by_role("button", name="Submit for assessment"))
    page.keyboard.press("Enter")
    expect(page.locator("#refusal")).to_be_visible()
    assert focused(page)["id"] == "refusal"


@pytest.mark.django_db(transaction=True)
def test_reschedule_from_the_refusal_by_keyboard_then_submit(live_server, browser, clock, plain_http_cookies):
    alice, _bob, _pat = people()
    start, _end = f.planned_window(timezone.now())
    late = start + timedelta(hours=8)  # 14:00: outside every deployment window
    draft = lifecycle.filed(alice, planned_start=late.isoformat(), planned_end=(late + timedelta(hours=1)).isoformat())
    page = log_in(browser, live_server, "alice")
    page.goto(f"{live_server.url}/changes/{draft.pk}/")
    page.get_by_role("button", name="Submit for assessment").click()
    openings = page.locator("#openings-submit")
    expect(openings).to_contain_text("Next available times")
    first = openings.get_by_role("button").first
    expect(first).to_contain_text("Reschedule to")
    tab_to(page, first)
    page.keyboard.press("Enter")
    expect(page.locator(".flash-success")).to_contain_text("rescheduled to")
    expect(page.locator("#step-submit .badge")).to_have_text("Gate holds")
    page.get_by_role("button", name="Submit for assessment").click()
    expect(page.locator(".ref-line .badge").first).to_have_text("In assessment")
    assert f.reload(draft).state == State.ASSESSMENT


@pytest.mark.django_db(transaction=True)
def test_filing_a_change_with_the_keyboard_only(live_server, browser, clock, plain_http_cookies):
    """From "My work" to a filed draft without the mouse: Tab reaches every control, typing fills it,
    Enter files it."""
    from changes.models import ChangeRequest

    people()
    f.make_service("payments-api")
    page = log_in(browser, live_server, "alice")
    tab_to(page, page.get_by_role("button", name="File a change").first)
    page.keyboard.press("Enter")
    for label, text in [("Title", "Rotate the payments API keys"),
                        ("Description", "Rotate the signing keys of the payments API."),
                        ("Business justification", "The keys are a year old.")]:
        tab_to(page, page.get_by_label(label, exact=label != "Title"))
        page.keyboard.type(text)
    tab_to(page, page.get_by_label("Affected services"))
    page.keyboard.press("ArrowDown")
    tab_to(page, page.get_by_role("button", name="File as draft"))
    page.keyboard.press("Enter")
    expect(page.locator(".flash-success")).to_contain_text("filed as a draft")
    change = ChangeRequest.objects.get()
    assert (change.title, change.business_justification) == ("Rotate the payments API keys",
                                                              "The keys are a year old.")
    assert [service.name for service in change.services.all()] == ["payments-api"]
