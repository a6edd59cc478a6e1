"""The queue_rows tag (My approvals' rows in one Python tag): values escaped, the page's CSRF field in
each decision form, refusals and decided rows shown as the row template showed them."""
from django.template import engines

ROW = {"id": "7", "status": "pending", "pending": True, "reference": "CHG-000001", "title": "<script>x</script>",
       "role": "Peer", "rule": "R & D", "policy": "POLICY §3", "change_url": "/changes/1/",
       "decide_url": "/approvals/queue/7/decide/", "sla": "4h left", "sla_colour": "green", "due": "1 Jan 10:00",
       "acting_for": "", "refusals": "", "decided_by": "", "on_behalf_of": "", "decided_at": "", "reason": "",
       "error": ""}


def render(items, token="tok'en"):
    template = engines["django"].from_string("{% load queue_rows %}{% queue_rows items %}")
    return template.render({"items": items, "csrf_token": token})


def test_a_pending_row_has_the_form_with_the_csrf_field_and_escaped_text():
    html = render([ROW])
    assert '<tr id="slot-7" class="slot-pending">' in html and "&lt;script&gt;x&lt;/script&gt;" in html
    assert "<script>" not in html and "R &amp; D" in html
    assert '<input type="hidden" name="csrfmiddlewaretoken" value="tok&#x27;en">' in html
    assert 'hx-post="/approvals/queue/7/decide/"' in html and 'value="grant"' in html


def test_refused_delegated_and_decided_rows():
    refused = render([{**ROW, "refusals": "Not <yours>.", "acting_for": "Ann", "error": "Stale"}])
    assert "You may not decide this: Not &lt;yours&gt;." in refused and "<form" not in refused
    assert "On behalf of <strong>Ann</strong> (delegated)" in refused and "Not recorded: Stale" in refused
    decided = render([{**ROW, "pending": False, "status": "granted", "sla": "", "decided_by": "Bo",
                       "on_behalf_of": "Al", "decided_at": "1 Jan 10:00", "reason": 'ok "fine"'}])
    assert "by <strong>Bo</strong> on behalf of Al" in decided and "“ok &quot;fine&quot;”" in decided
    assert "<form" not in decided
