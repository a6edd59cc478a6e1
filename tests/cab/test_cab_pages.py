"""CAB pages: the meeting page with its live tally fragment, voting and deciding from the page,
printable and Markdown minutes; the meeting page's query count does not grow with its items."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cab.services import agenda as agenda_services
from cab.services import voting
from cab.services.agenda import generate_agenda
from cab.services.meetings import start_meeting
from tests.support import cab as support


@pytest.fixture
def meeting_with_item(frozen, board, requester, peer, peer2, manager, security):
    change = support.high_risk_in_approval(requester)
    slot = support.grant_all_but_cab(change, peer, peer2, manager, security)
    meeting = support.make_meeting()
    generate_agenda(meeting_id=meeting.pk)
    return meeting, meeting.items.get(slot=slot), slot


def test_member_votes_from_the_page_and_the_tally_fragment_shows_it(meeting_with_item, board, client):
    meeting, item, _slot = meeting_with_item
    client.force_login(board["qa"])
    page = client.get(f"/cab/meetings/{meeting.pk}/")
    assert page.status_code == 200 and f'hx-get="/cab/items/{item.pk}/tally/"' in page.content.decode()
    assert f'href="/changes/{item.change_id}/"' in page.content.decode()
    client.post(f"/cab/items/{item.pk}/vote/", {"choice": "reject", "comment": "Rollback <untested>"})
    fragment = client.get(f"/cab/items/{item.pk}/tally/").content.decode()
    assert 'data-voter="quinn"' in fragment and "Rollback &lt;untested&gt;" in fragment
    client.post(f"/cab/items/{item.pk}/vote/", {"choice": "approve", "mode": "change"})
    assert '<span class="approve-count">1</span>' in client.get(f"/cab/items/{item.pk}/tally/").content.decode()


def test_refusals_show_the_reason(meeting_with_item, peer, client):
    meeting, item, _slot = meeting_with_item
    client.force_login(peer)
    response = client.post(f"/cab/items/{item.pk}/vote/", {"choice": "approve"}, follow=True)
    assert "Only members of the Change Advisory Board may vote." in response.content.decode()


def test_chair_runs_the_decision_from_the_page(meeting_with_item, board, client):
    meeting, item, slot = meeting_with_item
    chair = board["chair"]
    client.force_login(chair)
    client.post(f"/cab/meetings/{meeting.pk}/start/")
    client.post(f"/cab/meetings/{meeting.pk}/attendance/",
                {"present": [chair.pk, board["qa"].pk, board["operations"].pk]})
    voting.cast_vote(item_id=item.pk, actor=board["qa"], choice="approve")
    client.post(f"/cab/items/{item.pk}/decide/", {"outcome": "approve", "conditions": "Canary first"})
    slot.refresh_from_db()
    assert slot.status == "granted"
    client.post(f"/cab/meetings/{meeting.pk}/end/")
    client.post(f"/cab/meetings/{meeting.pk}/publish/")
    printable = client.get(f"/cab/meetings/{meeting.pk}/minutes/").content.decode()
    assert "Published" in printable and "Conditions: Canary first" in printable
    markdown = client.get(f"/cab/meetings/{meeting.pk}/minutes.md")
    assert markdown["Content-Type"].startswith("text/markdown") and b"# Minutes:" in markdown.content


def test_people_without_a_role_get_403(meeting_with_item, outsider, client):
    client.force_login(outsider)
    assert client.get("/cab/").status_code == 403


def test_meeting_page_query_count_does_not_grow_with_items(meeting_with_item, board, client):
    meeting, item, _slot = meeting_with_item
    client.force_login(board["chair"])
    client.get(f"/cab/meetings/{meeting.pk}/")
    with CaptureQueriesContext(connection) as few:
        client.get(f"/cab/meetings/{meeting.pk}/")
    for number in range(15):
        agenda_services.add_item(meeting_id=meeting.pk, actor=board["chair"], title=f"Topic {number}")
    voting.cast_vote(item_id=item.pk, actor=board["qa"], choice="approve")
    with CaptureQueriesContext(connection) as many:
        client.get(f"/cab/meetings/{meeting.pk}/")
    assert len(many) == len(few)


def test_list_page_shows_meetings(meeting_with_item, board, client):
    meeting, _item, _slot = meeting_with_item
    start_meeting(meeting_id=meeting.pk, actor=board["chair"])
    client.force_login(board["qa"])
    assert meeting.title in client.get("/cab/").content.decode()


def test_every_item_links_to_its_own_actions(meeting_with_item, board, client):
    """The per-item links are built once per page with a placeholder id: each item gets its own."""
    meeting, _item, _slot = meeting_with_item
    client.force_login(board["chair"])
    page = client.get(f"/cab/meetings/{meeting.pk}/").content.decode()
    for item in meeting.items.all():
        for action in ("up", "down", "remove"):
            assert f'action="/cab/items/{item.pk}/{action}/"' in page
    decision = meeting.items.get(needs_decision=True)
    assert f'action="/cab/items/{decision.pk}/vote/"' in page and f'hx-get="/cab/items/{decision.pk}/tally/"' in page
    assert "2147483647" not in page
    start_meeting(meeting_id=meeting.pk, actor=board["chair"])
    assert f'action="/cab/items/{decision.pk}/decide/"' in client.get(f"/cab/meetings/{meeting.pk}/").content.decode()


def test_the_agenda_rows_escape_what_people_typed_and_match_the_polled_tally(meeting_with_item, board, client):
    """The items are rendered in Python (cab.templatetags.cab_rows): every typed value is escaped, and
    the tally inside the page is the very markup its polled fragment serves."""
    meeting, item, _slot = meeting_with_item
    chair = board["chair"]
    agenda_services.add_item(meeting_id=meeting.pk, actor=chair, title="Topic <b>bold</b> & co",
                             note='Note "<script>alert(1)</script>"')
    voting.cast_vote(item_id=item.pk, actor=board["qa"], choice="reject", comment="Too <risky> & late")
    client.force_login(chair)
    page = client.get(f"/cab/meetings/{meeting.pk}/").content.decode()
    assert "Topic &lt;b&gt;bold&lt;/b&gt; &amp; co" in page and "<b>bold</b>" not in page
    assert "Note &quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot;" in page and "<script>alert" not in page
    assert "Too &lt;risky&gt; &amp; late" in page
    fragment = client.get(f"/cab/items/{item.pk}/tally/").content.decode()
    assert fragment.endswith("</div>\n") and fragment.rstrip("\n") in page
