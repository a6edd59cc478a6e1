"""axe-core (from npm) finds no critical or serious violation on any page, in the light and the dark
theme: every page of the site, each opened by a user of the role that uses it, over the demo data (so
every list, panel and form has something to show)."""
from pathlib import Path

import pytest
from django.urls import NoReverseMatch, reverse

from approvals.models import ApprovalSlot
from cab.choices import MeetingKind, MeetingStatus
from cab.models import BoardMember, Meeting
from cab.services import meetings as cab_meetings
from changes.choices import ChangeType, State
from changes.models import ChangeRequest, StandardTemplate
from demo import loader
from demo.data import DEMO_PASSWORD
from tests.browser.conftest import log_in, needs_chromium

pytestmark = [pytest.mark.browser, needs_chromium]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
BAD = ("critical", "serious")
# The dark theme's own colours, checked on the pages that use most of them.
DARK = ("/", "/changes/", "/calendar/", "/cab/")


def _change(**filters) -> int:
    return ChangeRequest.objects.filter(**filters).order_by("pk").values_list("pk", flat=True).first()


def every_page() -> list[tuple[str | None, str]]:
    """(username or None for anonymous, URL) for every page of the site. The Django admin (the stock
    admin, for superusers) and the JSON, CSV, iCalendar and Markdown downloads are no pages."""
    draft = ChangeRequest.objects.filter(state=State.DRAFT).order_by("pk").first()
    approval = _change(state=State.APPROVAL, approval_slots__role="peer", approval_slots__status="pending")
    running = Meeting.objects.filter(status=MeetingStatus.IN_PROGRESS).order_by("starts_at").first()
    regular = Meeting.objects.filter(kind=MeetingKind.REGULAR, status=MeetingStatus.SCHEDULED).order_by("starts_at")
    regular = regular.first()
    ended = Meeting.objects.filter(status=MeetingStatus.ENDED).order_by("pk").first()
    template = StandardTemplate.objects.order_by("pk").first()
    pages = [
        (None, "/login/"),
        ("alice", "/"), ("alice", "/changes/"), ("alice", "/changes/?state=ready&risk_level=high"),
        ("alice", "/changes/new/"), ("alice", "/changes/catalog/"), ("alice", f"/changes/catalog/{template.pk}/new/"),
        (draft.requester.username, f"/changes/{draft.pk}/"), (draft.requester.username, f"/changes/{draft.pk}/edit/"),
        ("bob", f"/changes/{approval}/"),
        ("alice", f"/changes/{_change(state=State.TESTING)}/"),
        ("oscar", f"/changes/{_change(state=State.READY)}/"),
        ("oscar", f"/changes/{_change(state=State.DEPLOYED, change_type=ChangeType.NORMAL)}/"),
        ("mia", f"/changes/{_change(change_type=ChangeType.EMERGENCY)}/"),
        ("alice", f"/changes/{_change(state=State.CLOSED)}/"),
        ("alice", f"/changes/{_change(state=State.ROLLED_BACK)}/"),
        ("alice", f"/changes/{_change(state=State.REJECTED)}/"),
        ("alice", f"/changes/{_change(conflicts_as_first__isnull=False)}/"),
        ("bob", "/approvals/queue/"), ("mia", "/approvals/emergency/"), ("mia", "/approvals/emergency/?overdue=1"),
        ("mia", "/approvals/emergency/confirm/not-a-token/"),
        ("bob", "/inbox/"), ("bob", "/inbox/preferences/"),
        ("alice", "/calendar/"), ("alice", "/calendar/?view=week"), ("alice", "/calendar/?view=list"),
        ("carol", "/calendar/"), ("alice", "/calendar/subscribe/"),
        ("carol", "/cab/"), ("carol", f"/cab/meetings/{regular.pk}/"),
        ("carol", f"/cab/meetings/{running.pk}/"), ("cameron", f"/cab/meetings/{running.pk}/"),
        ("carol", f"/cab/meetings/{running.pk}/minutes/"),
        ("carol", f"/cab/meetings/{ended.pk}/"), ("audrey", f"/cab/meetings/{ended.pk}/minutes/"),
        ("carol", "/cab/emergency/"), ("carol", "/cab/actions/"),
        ("audrey", "/audit/"), ("audrey", f"/audit/changes/{_change(state=State.CLOSED)}/"),
        ("alice", "/tokens/"), ("alice", "/api/docs/"),
        ("alice", "/changes/999999/"),  # the 404 page
        ("alice", "/audit/"),  # the 403 page
    ]
    try:
        pages.append(("mia", reverse("metrics:page")))
    except NoReverseMatch:  # the metrics page is not installed
        pass
    return pages


# Markup of third-party code the page only hosts, left out of the check: /api/docs/'s Swagger UI (the
# drf-spectacular-sidecar bundle) renders its operations after fetching the schema, so whether axe saw them
# raced the fetch; its own markup nests controls (swagger-ui's .opblock-summary-control) and colours its
# version stamp below AA. The page frame around it is still checked.
THIRD_PARTY = ["#swagger-ui"]


def axe_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async (exclude) => await axe.run({exclude: exclude.map(s => [s])}, "
                           "{resultTypes: ['violations']})", THIRD_PARTY)
    return [f"{v['impact']} {v['id']}: {v['help']} at {[node['target'] for node in v['nodes'][:3]]}"
            for v in result["violations"] if v["impact"] in BAD]


@pytest.mark.django_db(transaction=True)
def test_axe_finds_no_critical_or_serious_violation_on_any_page(live_server, browser, plain_http_cookies):
    summary = loader.seed()
    assert ApprovalSlot.objects.exists()
    # The next meeting in progress, with the whole board present: the chair's decision controls and the
    # members' vote forms are on its page.
    carol = next(user for user in summary.users if user.username == "carol")
    cab_meetings.start_meeting(meeting_id=summary.next_meeting.pk, actor=carol)
    cab_meetings.record_attendance(meeting_id=summary.next_meeting.pk, actor=carol, present_user_ids=list(
        BoardMember.objects.filter(active=True).values_list("user_id", flat=True)))
    pages = every_page()
    found, contexts = {}, {}

    def page_for(username, scheme):
        key = (username, scheme)
        if key not in contexts:
            options = {"bypass_csp": True, "color_scheme": scheme}  # axe is injected as a <script>
            if username is None:
                contexts[key] = browser.new_context(viewport={"width": 1280, "height": 900}, **options).new_page()
            else:
                contexts[key] = log_in(browser, live_server, username, password=DEMO_PASSWORD, **options)
        return contexts[key]

    runs = [(user, url, "light") for user, url in pages] + [("carol", url, "dark") for url in DARK]
    for username, url, scheme in runs:
        page = page_for(username, scheme)
        response = page.goto(live_server.url + url)
        assert response.status < 500, url
        violations = axe_violations(page)
        if violations:
            found[f"{username} {url} ({scheme})"] = violations
    assert len(runs) >= 40
    assert found == {}
