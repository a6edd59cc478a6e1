"""Bad input to the API: a 400 naming the field, never a 500, and nothing written (rows and ledger
unchanged). Text is stored as sent and returned verbatim in JSON; escaping is the renderer's job."""
import pytest

from tests import factories as f
from tests.api_helpers import assert_nothing_written, client_for, patch_json, post_json, rows
from tests.lifecycle import filed

LIST = "/api/changes/"


@pytest.fixture
def api(frozen, requester):
    return client_for(requester)


@pytest.mark.parametrize("overrides, field", [
    ({"colour": "red"}, "colour"),                              # unknown field
    ({"services": "payments-api"}, "services"),                 # a string where a list is expected
    ({"services": [{"id": 1}]}, "services"),                    # objects inside the list
    ({"services": [999999]}, "services"),                       # a service that does not exist
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
