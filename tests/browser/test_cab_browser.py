"""The chair runs a CAB meeting in a real browser (Debian's Chromium via Playwright): two members
vote from their own browser sessions and each sees the other's vote appear through the polled
tally; the chair's decision grants the change's CAB approval; the published minutes are read-only."""

import pytest

from cab.services.agenda import generate_agenda
from changemgmt.models import LedgerEntry
from tests.browser.conftest import log_in, needs_chromium, playwright_sync
from tests.support import cab as support

expect = playwright_sync.expect


pytestmark = [pytest.mark.browser, needs_chromium]


def vote(page, item_id, choice, comment):
    form = page.locator(f"#item-{item_id} form.vote-form")
    form.locator(f"input[name=choice][value={choice}]").check()
    form.locator("input[name=comment]").fill(comment)
    form.get_by_role("button").click()


def test_chair_runs_a_meeting_members_vote_live_and_minutes_are_published(
        browser, live_server, clock, plain_http_cookies, requester, peer, peer2, manager, security, cab_chair,
        cab_member):
    members = support.seat_board(cab_chair, cab_member)
    change = support.high_risk_in_approval(requester)
    slot = support.grant_all_but_cab(change, peer, peer2, manager, security)
    meeting = support.make_meeting()
    generate_agenda(meeting_id=meeting.pk)
    item = meeting.items.get(slot=slot)
    url = f"{live_server.url}/cab/meetings/{meeting.pk}/"

    chair = log_in(browser, live_server, "carol")
    chair.goto(url)
    chair.locator("#start-meeting").click()
    chair.locator("details:has(#attendance)").evaluate("details => { details.open = true; }")
    for username in ("carol", "quinn", "cameron", "erin"):
        chair.locator("#attendance label", has_text=f"({username})").locator("input").check()
    chair.locator("#attendance button").click()
    expect(chair.locator(".quorum .badge")).to_have_text("met")

    quinn = log_in(browser, live_server, "quinn")
    cameron = log_in(browser, live_server, "cameron")
    quinn.goto(url)
    cameron.goto(url)
    vote(quinn, item.pk, "approve", "Evidence is solid")
    # Cameron's page was loaded before Quinn voted: the polled tally brings the vote in.
    expect(cameron.locator(f"#tally-{item.pk} [data-voter=quinn]")).to_contain_text("Evidence is solid")
    vote(cameron, item.pk, "approve", "Rollback rehearsed")
    expect(quinn.locator(f"#tally-{item.pk} [data-voter=cameron]")).to_contain_text("Rollback rehearsed")
    expect(chair.locator(f"#tally-{item.pk} .approve-count")).to_have_text("2")

    decide = chair.locator(f"#item-{item.pk} form.decide-form")
    decide.locator("select[name=outcome]").select_option("approve")
    decide.get_by_label("Conditions of approval").fill("Canary at 1% first")
    decide.get_by_role("button").click()
    expect(chair.locator(f"#tally-{item.pk} .decision")).to_contain_text("Canary at 1% first")
    slot.refresh_from_db()
    assert slot.status == "granted" and slot.decided_by == members["chair"]
    expect(quinn.locator(f"#tally-{item.pk} .decision")).to_contain_text("Approved")

    chair.locator("#end-meeting").click()
    chair.locator("#publish-minutes").click()
    chair.goto(f"{live_server.url}/cab/meetings/{meeting.pk}/minutes/")
    expect(chair.locator(".published")).to_contain_text("read-only")
    expect(chair.locator("article.minutes")).to_contain_text("quinn: approve — Evidence is solid")
    chair.goto(url)
    expect(chair.locator("textarea[name=notes]")).to_have_count(0)
    # A hand-made edit is refused and writes nothing (the attempt goes to the log, not the ledger).
    status = chair.evaluate(f"""async () => {{
        const token = document.querySelector('input[name=csrfmiddlewaretoken]')?.value
            || document.cookie.split('; ').find(c => c.startsWith('csrftoken='))?.split('=')[1];
        const body = new URLSearchParams({{notes: 'rewritten', csrfmiddlewaretoken: token}});
        const r = await fetch('/cab/meetings/{meeting.pk}/notes/', {{method: 'POST', body}});
        return r.status; }}""")
    assert status in (200, 303)
    assert not LedgerEntry.objects.filter(action="cab.published_edit_refused").exists()
