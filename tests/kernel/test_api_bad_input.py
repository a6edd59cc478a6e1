"""Bad input to the API: a 400 naming the field, never a 500, and nothing written (rows and ledger
unchanged). Text is stored as sent and returned verbatim in JSON; escaping is the renderer's job."""
import json
from datetime import timedelta

import pytest

from cab import tasks as cab_tasks
from cab.choices import MeetingKind, Seat
from cab.models import ActionItem, BoardMember, Meeting
from cab.services import actions
from changemgmt.notifications.tasks import send_notification_emails
from tests.support import factories as f
from tests.support.api import assert_nothing_written, client_for, patch_json, post_json, rows
from tests.support.lifecycle import deployed, filed

LIST = "/api/changes/"


@pytest.fixture
def api(frozen, requester):
    return client_for(requester)


@pytest.mark.parametrize("overrides, field", [
    ({"colour": "red"}, "colour"),                              # unknown field
    ({"services": "payments-api"}, "services"),                 # a string where a list is expected
    ({"services": [{"id": 1}]}, "services"),                    # objects inside the list
    ({"services": [999999]}, "services"),                       # a service that does not exist
    ({"services": [2 ** 64]}, "services"),                      # an id no database can hold
    ({"owner": -(2 ** 63) - 1}, "owner"),                        # the same, negative, for one id
    ({"title": {"text": "hi"}}, "title"),                       # an object where text is expected
    ({"title": ["hi"]}, "title"),                               # a list where text is expected
    ({"title": "x" * 100_000}, "title"),                        # 100 kB title
    ({"title": ""}, "title"),                                   # required
    ({"description": "before\x00after"}, "description"),        # NUL byte
    ({"planned_end": f.PLANNED_START.isoformat()}, "planned_end"),  # end not after start
    ({"planned_start": "next tuesday"}, "planned_start"),       # not a date
    ({"change_type": "standard"}, "change_type"),               # standard only from the catalog
    ({"owner": "alice"}, "owner"),                              # not a user id
    ({"ticket_url": "javascript:alert(1)"}, "ticket_url"),      # not a web link
    ({"template": {"id": 1}}, "template"),                      # wrong type for the template id
])
def test_filing_with_bad_input_is_400_naming_the_field(api, overrides, field):
    before = rows()
    response = post_json(api, LIST, f.complete_fields(**overrides))
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert_nothing_written(before)


@pytest.mark.parametrize("body, field", [
    ({"colour": "red"}, "colour"),
    ({"title": {"a": 1}}, "title"),
    ({"title": "y" * 100_000}, "title"),
    ({"planned_end": "2026-11-30T06:00:00-05:00"}, "planned_end"),
    ({"services": 5}, "services"),
    ({"template": 1}, "template"),  # the template is chosen when filing, not edited
])
def test_editing_with_bad_input_is_400_and_changes_nothing(api, requester, body, field):
    change = filed(requester)
    before = rows()
    response = patch_json(api, f"/api/changes/{change.pk}/", body)
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert f.reload(change).title == f.complete_fields()["title"]
    assert_nothing_written(before)


@pytest.mark.parametrize("raw", ['{"title": "unterminated', "not json at all", '{"title": 1,}'])
def test_malformed_json_is_400(api, raw):
    before = rows()
    response = api.post(LIST, raw, content_type="application/json")
    assert response.status_code == 400 and "JSON" in response.json()["detail"]
    assert_nothing_written(before)


@pytest.mark.parametrize("raw", ['["a", "list"]', '"a string"', "42", "null"])
def test_a_body_that_is_not_an_object_is_400(api, raw):
    before = rows()
    response = api.post(LIST, raw, content_type="application/json")
    assert response.status_code == 400
    assert_nothing_written(before)


def test_form_encoded_bodies_are_refused_with_415(api):
    before = rows()
    response = api.post(LIST, {"title": "x"})  # multipart, as a form would post
    assert response.status_code == 415
    assert_nothing_written(before)


def test_nul_in_a_transition_reason_is_400(api, requester):
    change = filed(requester)
    before = rows()
    response = post_json(api, f"/api/changes/{change.pk}/transitions/cancel/", {"reason": "no\x00pe"})
    assert response.status_code == 400 and "reason" in response.json()
    assert_nothing_written(before)


def test_wrong_types_in_transition_input_are_400(api, requester):
    change = filed(requester)
    before = rows()
    url = f"/api/changes/{change.pk}/transitions/cancel/"
    assert post_json(api, url, {"reason": ["a", "b"]}).status_code == 400
    assert post_json(api, url, {"reason": "x" * 100_000}).status_code == 400
    assert_nothing_written(before)


def test_script_tags_round_trip_verbatim_as_json_text(api):
    payload = '<script>alert("owned")</script><img src=x onerror=alert(1)>'
    created = post_json(api, LIST, f.complete_fields(title=payload[:200], impact_users=payload))
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["title"] == payload[:200] and body["impact_users"] == payload
    assert created["Content-Type"] == "application/json"


# The 500s seen in issue 9, one case each: every one is now a 400 naming the field (or a 404 for an
# object that does not exist), and nothing is written.
MEETING_START = f.NOW + timedelta(days=2)
FREEZE = {"name": "Year-end", "reason": "Finance close", "kind": "soft",
          "starts_at": (f.NOW + timedelta(days=8)).isoformat(), "ends_at": (f.NOW + timedelta(days=9)).isoformat()}
DEEP = "[" * 100_000 + "]" * 100_000


@pytest.fixture
def scene(frozen, requester, peer, peer2, manager, cab_chair, cab_member):
    """Who sends each bad request, and the objects the requests address."""
    BoardMember.objects.create(user=cab_chair, seat=Seat.CHAIR)
    BoardMember.objects.create(user=cab_member, seat=Seat.OPERATIONS)
    meeting = Meeting.objects.create(kind=MeetingKind.REGULAR, title="Weekly CAB", starts_at=MEETING_START,
                                     ends_at=MEETING_START + timedelta(hours=1))
    action = actions.create(actor=cab_chair, title="Check backups", owner=cab_member,
                            due_on=(f.NOW + timedelta(days=7)).date())
    return {"requester": requester, "chair": cab_chair, "approver": peer, "meeting": meeting.pk,
            "action": action.pk, "change": filed(requester).pk, "team": (peer, peer2, manager)}


SEEN_500S = {
    "create, planned_start a number": ("requester", "post", "/api/changes/", lambda: f.complete_fields(planned_start=5),
                                       "planned_start"),
    "create, owner a boolean": ("requester", "post", "/api/changes/", lambda: f.complete_fields(owner=True),
                                 "owner"),
    "window, starts a number": ("chair", "post", "/api/calendar/windows/",
                                {"weekday": 1, "starts": 5, "ends": "10:00", "risks": ["low"]}, "starts"),
    "freeze, starts_at a number": ("chair", "post", "/api/calendar/freezes/", {**FREEZE, "starts_at": 5},
                                   "starts_at"),
    "freeze preview, starts_at a boolean": ("chair", "post", "/api/calendar/freezes/preview/",
                                            {**FREEZE, "starts_at": True}, "starts_at"),
    "freeze, starts_at in year 9999 at -16:01": ("chair", "post", "/api/calendar/freezes/",
                                                 {**FREEZE, "starts_at": "9999-12-31T23:00:00-16:01"}, "starts_at"),
    "create, planned_start at an offset of -16:01": (
        "requester", "post", "/api/changes/", lambda: f.complete_fields(planned_start="2026-12-01T06:00:00-16:01"),
        "planned_start"),
    "minutes, a list as the body": ("chair", "put", "/api/cab/meetings/{meeting}/minutes/", ["notes"],
                                    "non_field_errors"),
    "action item, a list as the body": ("chair", "post", "/api/cab/action-items/", ["title"], "non_field_errors"),
    "action item status, a list as the body": ("chair", "patch", "/api/cab/action-items/{action}/", ["done"],
                                               "non_field_errors"),
    "action item for a change that does not exist": (
        "chair", "post", "/api/cab/action-items/",
        {"title": "Follow up", "owner": None, "kind": "concern", "change": 999999}, "change"),
    "delegation, a list as the body": ("approver", "post", "/api/approvals/delegations/", ["bob"],
                                       "non_field_errors"),
    "emergency CAB, starts_at a number": ("chair", "post", "/api/cab/meetings/emergency/",
                                          {"reason": "Payments down", "starts_at": 5}, "starts_at"),
}


@pytest.mark.parametrize("case", SEEN_500S.values(), ids=SEEN_500S.keys())
def test_a_body_that_once_answered_500_is_400_naming_the_field(scene, case):
    who, method, url, body, field = case
    body = body() if callable(body) else body  # bodies that need the database are built in the test
    client = client_for(scene[who])
    before = rows()
    response = getattr(client, method)(url.format(**scene), json.dumps(body), content_type="application/json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert_nothing_written(before)


def test_a_rollback_record_with_a_number_for_decided_at_is_400(frozen, requester, peer, peer2, manager):
    change = deployed(requester, [peer, peer2, manager], frozen)
    before = rows()
    response = post_json(client_for(requester), f"/api/changes/{change.pk}/transitions/roll_back/",
                         {"reason": "errors", "decided_at": 5})
    assert response.status_code == 400 and "decided_at" in response.json()
    assert_nothing_written(before)


@pytest.mark.parametrize("url", ["/api/changes/", "/api/calendar/windows/", "/api/cab/action-items/",
                                 "/api/approvals/delegations/"])
def test_json_nested_100000_deep_is_400_everywhere(api, url):
    before = rows()
    response = api.post(url, DEEP, content_type="application/json")
    assert response.status_code == 400 and "JSON" in response.json()["detail"]
    assert_nothing_written(before)


@pytest.mark.parametrize("query, field", [
    ("/api/calendar/events/?start=2026-13-01T00:00:00Z", "start"),
    ("/api/calendar/events/?start=2026-12-01T00:00:00Z&end=9999-12-31T00:00:00Z", "end"),
    ("/api/calendar/freezes/?start=9999-12-31T00:00:00Z", "start"),
    ("/api/calendar/freezes/?start=0001-01-01T00:00:00Z", "start"),
    ("/api/calendar/freezes/?start=0001-01-01T00:00:00%2B16:01", "start"),
    ("/api/calendar/events/?start=9999-12-31T20:00:00-16:01", "start"),
    ("/api/calendar/events/?start=2026-12-01T00:00:00-16:01", "start"),
    ("/api/changes/?planned_before=2026-12-01T00:00:00-22:37", "planned_before"),
])
def test_an_impossible_date_in_a_calendar_query_is_400_naming_it(api, query, field):
    response = api.get(query)
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_a_calendar_filter_id_too_large_for_the_database_is_400_naming_it(api):
    response = api.get("/api/calendar/events/?service=99999999999999999999")
    assert response.status_code == 400 and "service" in response.json()


def test_the_calendar_page_for_year_9999_is_400(scene):
    page = client_for(scene["requester"]).get("/calendar/?date=9999-12-15")
    assert page.status_code == 400 and b"2999" in page.content


@pytest.mark.parametrize("method, url", [("get", "/cab/items/999999/tally/"),
                                         ("post", "/cab/actions/999999/status/"),
                                         ("post", "/cab/meetings/999999/start/")])
def test_cab_pages_for_objects_that_do_not_exist_are_404(scene, method, url):
    response = getattr(client_for(scene["chair"]), method)(url, {"status": "done"})
    assert response.status_code == 404


def test_the_emergency_cab_form_refuses_a_start_that_does_not_exist(scene):
    response = client_for(scene["chair"]).post("/cab/emergency/", {"reason": "Payments down",
                                                                    "starts_at": "2026-13-01T10:00"})
    assert response.status_code == 200 and b"ISO 8601" in response.content
    assert not Meeting.objects.filter(kind=MeetingKind.EMERGENCY).exists()


def test_putting_minutes_without_notes_is_400_and_keeps_them(scene):
    chair = client_for(scene["chair"])
    url = f"/api/cab/meetings/{scene['meeting']}/minutes/"
    assert chair.put(url, {"notes": "Keep me"}, format="json").status_code == 200
    response = chair.put(url, content_type="application/json")
    assert response.status_code == 400, response.content
    assert chair.get(url).json()["notes"] == "Keep me"


def test_owner_true_is_not_user_one(api, requester):
    response = post_json(api, LIST, f.complete_fields(owner=True))
    assert response.status_code == 400 and response.json()["owner"] == ["Expected an id (a whole number)."]


def test_a_line_break_in_an_emergency_cab_reason_still_sends_every_invitation(scene, mailoutbox):
    response = post_json(client_for(scene["chair"]), "/api/cab/meetings/emergency/",
                         {"reason": "Card payments\nfailing since 11:40"})
    assert response.status_code == 201, response.content
    meeting = Meeting.objects.get(pk=response.json()["id"])
    assert meeting.title == "Emergency CAB: Card payments failing since 11:40"
    assert cab_tasks.send_invitations(meeting.pk) >= 2
    send_notification_emails()
    assert len(mailoutbox) >= 2 and all("\n" not in mail.subject for mail in mailoutbox)
    assert meeting.reason == "Card payments\nfailing since 11:40"  # the reason itself is kept as written


def test_an_action_item_title_must_fit_on_one_line(scene):
    response = post_json(client_for(scene["chair"]), "/api/cab/action-items/",
                         {"title": "Check\nbackups", "kind": "concern"})
    assert response.status_code == 400 and "title" in response.json()


def test_an_unexpected_error_is_a_json_500_that_writes_nothing(api, monkeypatch):
    def crash(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("changes.services.create_change", crash)
    before = rows()
    response = post_json(api, LIST, f.complete_fields())
    assert response.status_code == 500 and response.json() == {"detail": "Server error."}
    assert_nothing_written(before)


def test_a_method_an_endpoint_does_not_offer_is_a_json_405(api):
    response = api.delete(LIST)
    assert response.status_code == 405 and "detail" in response.json()


def test_an_action_item_title_with_a_line_break_is_refused_on_the_meeting_page_too(scene):
    before = ActionItem.objects.count()
    response = client_for(scene["chair"]).post(f"/cab/meetings/{scene['meeting']}/action-item/",
                                               {"title": "Check\nbackups", "kind": "concern"}, follow=True)
    assert response.status_code == 200 and b"Must fit on one line" in response.content
    assert ActionItem.objects.count() == before
