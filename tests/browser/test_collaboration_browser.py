"""Working together in a real browser (Debian's Chromium via Playwright): a comment that mentions a
colleague, a file attached, the comment appearing on the colleague's open change page without a
reload, and granting several approvals at once from My approvals — whose table also updates live."""
import pytest

from approvals.choices import SlotStatus
from approvals.models import ApprovalSlot
from changemgmt.models import Notification, NotificationKind
from changes import services as change_services
from tests.browser.conftest import log_in, needs_chromium, playwright_sync
from tests.support.approvals import change_in_approval
from tests.support.lifecycle import filed

expect = playwright_sync.expect
pytestmark = [pytest.mark.browser, needs_chromium]


@pytest.fixture
def fast_live(settings, tmp_path):
    settings.LIVE_POLL_SECONDS = 1
    settings.MEDIA_ROOT = str(tmp_path / "media")


def test_comment_with_a_mention_and_a_file_seen_live_by_a_second_user(
        browser, live_server, clock, plain_http_cookies, fast_live, tmp_path, requester, peer):
    change = filed(requester)
    url = f"{live_server.url}/changes/{change.pk}/"
    bob = log_in(browser, live_server, "bob")
    bob.goto(url)
    expect(bob.locator("#collaboration-thread")).to_contain_text("No comments yet.")

    alice = log_in(browser, live_server, "alice")
    alice.goto(url)
    alice.get_by_label("Add a comment").fill("@bob please check the rollback plan")
    alice.get_by_role("button", name="Add comment").click()
    expect(alice.locator("#collaboration-body [role=status]")).to_contain_text("1 mentioned person notified")
    expect(alice.locator(".comments")).to_contain_text("@bob please check the rollback plan")
    assert Notification.objects.filter(user=peer, kind=NotificationKind.MENTIONED).count() == 1

    runbook = tmp_path / "runbook.md"
    runbook.write_text("# Runbook\n1. drain\n")
    alice.get_by_label("Attach a file").set_input_files(str(runbook))
    alice.get_by_role("button", name="Attach", exact=True).click()
    expect(alice.locator(".attachments")).to_contain_text("runbook.md")

    # Bob's page was open before: the live thread brings the comment and the file in, no reload.
    expect(bob.locator(".comments")).to_contain_text("please check the rollback plan", timeout=15_000)
    expect(bob.locator(".attachments")).to_contain_text("runbook.md", timeout=15_000)
    with bob.expect_download() as download:
        bob.locator(".attachments a", has_text="runbook.md").click()
    assert open(download.value.path(), encoding="utf-8").read() == "# Runbook\n1. drain\n"

    # The change itself moves (alice submits it): bob's open page shows the new state in place, no reload.
    bob.evaluate("window.stillTheSamePage = true")
    before = bob.locator("#main").inner_text()
    moved = change_services.run_transition(change_id=change.pk, name="submit", actor=requester)
    expect(bob.locator("#main")).not_to_have_text(before, timeout=15_000)
    expect(bob.locator("#main")).to_contain_text(moved.get_state_display())
    assert bob.evaluate("window.stillTheSamePage === true")


def test_bulk_approve_and_the_queue_updates_live(browser, live_server, clock, plain_http_cookies, fast_live,
                                                 requester, peer):
    first, second = change_in_approval(requester, title="First"), change_in_approval(requester, title="Second")
    bob = log_in(browser, live_server, "bob")
    bob.goto(f"{live_server.url}/approvals/queue/")
    expect(bob.locator("#queue-live")).to_contain_text("Second")

    third = change_in_approval(requester, title="Third arrives")
    expect(bob.locator("#queue-live")).to_contain_text("Third arrives", timeout=15_000)

    for change in (first, second):
        slot = ApprovalSlot.objects.filter(change=change, role="peer", status=SlotStatus.PENDING).order_by("id").first()
        bob.locator(f'input[name=slots][value="{slot.pk}"]').check()
    # With rows ticked, the live table waits (a swap would drop the selection) ...
    change_in_approval(requester, title="Fourth waits")
    bob.wait_for_timeout(3_000)
    expect(bob.locator("#queue-live")).not_to_contain_text("Fourth waits")
    expect(bob.locator("input[name=slots]:checked")).to_have_count(2)
    bob.get_by_label("Reason").last.fill("Reviewed together")
    bob.get_by_role("button", name="Grant selected").click()
    expect(bob.locator(".flashes")).to_contain_text("Granted 2")
    expect(bob.locator("#queue-live")).to_contain_text("Fourth waits")  # ... and shows it once they are done
    assert ApprovalSlot.objects.filter(change__in=[first, second], status=SlotStatus.GRANTED,
                                       reason="Reviewed together").count() == 2
    assert not ApprovalSlot.objects.filter(change=third, status=SlotStatus.GRANTED).exists()


def test_keyboard_shortcuts(browser, live_server, clock, plain_http_cookies, requester):
    change = filed(requester)
    alice = log_in(browser, live_server, "alice")
    alice.goto(f"{live_server.url}/changes/")
    alice.keyboard.press("/")
    expect(alice.locator("#id_q")).to_be_focused()
    alice.locator("h1").click()
    alice.keyboard.press("j")
    expect(alice.locator(f'table.changes a[href="/changes/{change.pk}/"]').first).to_be_focused()
    alice.keyboard.press("s")
    expect(alice.locator(f'input[name=changes][value="{change.pk}"]')).to_be_checked()
    alice.keyboard.press("g")
    alice.keyboard.press("a")
    alice.wait_for_url("**/approvals/queue/")
    alice.keyboard.press("?")
    alice.wait_for_url("**/help/shortcuts/")
    expect(alice.locator("table.shortcuts")).to_contain_text("Watch or stop watching")
