"""The CAB meeting page is the chair's working screen: each item's vote and decision sit together in
one group named by the item, the decision select starts on no choice (nothing is "Approved" by
default), required fields are marked; the minutes page shows the minutes as HTML, not raw Markdown,
with typed HTML shown as text."""
import re

import pytest

from cab.models import Decision
from cab.services import minutes, voting
from cab.services.agenda import generate_agenda
from tests.support import cab as support


@pytest.fixture
def running(frozen, board, requester, peer, peer2, manager, security, client):
    change = support.high_risk_in_approval(requester)
    slot = support.grant_all_but_cab(change, peer, peer2, manager, security)
    meeting = support.make_meeting()
    generate_agenda(meeting_id=meeting.pk)
    chair = board["chair"]
    client.force_login(chair)
    client.post(f"/cab/meetings/{meeting.pk}/start/")
    client.post(f"/cab/meetings/{meeting.pk}/attendance/", {"present": [chair.pk, board["qa"].pk,
                                                                        board["operations"].pk]})
    return meeting, meeting.items.get(slot=slot)


def test_each_items_vote_and_decision_are_one_group_named_by_the_item(running, client):
    meeting, item = running
    html = client.get(f"/cab/meetings/{meeting.pk}/").content.decode()
    article = html[html.index(f'id="item-{item.pk}"'):]
    article = article[:article.index("</article>")]
    assert f'<h4 id="item-{item.pk}-title">' in article
    assert f'role="group" aria-labelledby="item-{item.pk}-title"' in article
    assert "<legend>Your vote" in article and "<legend>Chair's decision</legend>" in article
    assert f'id="tally-{item.pk}"' in article and 'class="decide-form"' in article


def test_the_decision_select_has_no_default_and_required_fields_are_marked(running, client):
    meeting, item = running
    html = client.get(f"/cab/meetings/{meeting.pk}/").content.decode()
    select = re.search(rf'<select id="outcome-{item.pk}" name="outcome" required>(.*?)</select>', html, re.S).group(1)
    assert '<option value="" selected disabled>Choose a decision…</option>' in select
    assert select.count("selected") == 1  # only the placeholder: nothing is approved by default
    assert f'<label for="outcome-{item.pk}">Decision <span class="req" aria-hidden="true">*</span>' in html
    assert "(required to reject or defer)" in html
    assert f'<label for="reason-{item.pk}">' in html and f'<label for="conditions-{item.pk}">' in html


def test_a_decision_posted_without_a_choice_is_refused_and_decides_nothing(running, client, board):
    meeting, item = running
    voting.cast_vote(item_id=item.pk, actor=board["qa"], choice="approve")
    response = client.post(f"/cab/items/{item.pk}/decide/", {"outcome": "", "reason": ""}, follow=True)
    assert "Must be one of approve, reject, defer" in response.content.decode()
    assert not Decision.objects.filter(item=item).exists()


def test_the_minutes_page_renders_the_markdown_as_html_and_escapes_typed_html(running, client, board):
    meeting, _item = running
    minutes.update_notes(meeting_id=meeting.pk, actor=board["chair"], notes="Watch **the canary**. <script>x</script>")
    html = client.get(f"/cab/meetings/{meeting.pk}/minutes/").content.decode()
    body = html[html.index('<article class="minutes card">'):]
    assert "<h1>Minutes: " in body and "<h2>Attendance</h2>" in body and "<li>" in body
    assert "<strong>the canary</strong>" in body
    assert "# Minutes:" not in body and "<pre" not in body
    assert "<script>x</script>" not in body and "&lt;script&gt;x&lt;/script&gt;" in body
