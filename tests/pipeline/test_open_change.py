"""POST /api/pipeline/changes/: a pipeline opens its own standard change from the catalog, for a service its
token is scoped to, pre-approved when the template's conditions hold; otherwise nothing is written."""
import json

import pytest

from changemgmt.models import LedgerEntry
from changemgmt.people_services import issue_token
from changes import selectors
from changes.choices import ChangeType, State
from changes.models import ChangeRequest
from tests.pipeline.helpers import pipeline_client
from tests.support import factories as f
from tests.support.api import assert_nothing_written, client_for, rows

URL = "/api/pipeline/changes/"


def open_change(client, **overrides):
    start, end = f.planned_window(f.NOW)
    body = {"template": "Patch-level dependency update", "service": "payments-api",
            "planned_start": start.isoformat(), "planned_end": end.isoformat(),
            "business_justification": "Security patch of a dependency.", "impact_systems": "payments-api",
            "impact_users": "None expected", **overrides}
    return client.post(URL, json.dumps(body), content_type="application/json")


@pytest.fixture
def template(db):
    return f.make_template()


def test_a_pipeline_opens_a_pre_approved_standard_change_and_then_asks_the_gate(frozen, pipeline, template,
                                                                                  pipeline_token, admin_user):
    answer = open_change(pipeline, external_source="github", external_key="payments-8812")
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    change = ChangeRequest.objects.get(pk=body["id"])
    assert (change.change_type, change.risk_level, change.state) == (ChangeType.STANDARD, "low", State.TESTING)
    assert body["change"] == change.reference and body["state"] == State.TESTING and body["template"] == template.pk
    assert change.requester == admin_user and [s.name for s in change.services.all()] == ["payments-api"]
    assert change.external_reference == "github:payments-8812" and change.approval_slots.count() == 0
    actions = [entry.action for entry in selectors.ledger_for(change)]
    assert actions[:3] == ["change.created", "change.from_template", "change.submit"]
    assert "change.approve" in actions and actions[-1] == "pipeline.change_opened"
    opened = LedgerEntry.objects.get(action="pipeline.change_opened")
    assert opened.actor_name.startswith("pipeline:payments deploy") and opened.seq == body["ledger_seq"]
    gate = pipeline.ask(change, change="github:payments-8812")
    assert gate.json()["decision"] == "wait"  # pre-approved: only its tests and its schedule remain
    assert "not_approved" not in {item["code"] for item in gate.json()["missing"]}


def test_the_template_by_id_works_too(frozen, pipeline, template):
    answer = open_change(pipeline, template=template.pk)
    assert answer.status_code == 201, answer.json()


def test_when_the_templates_conditions_do_not_hold_nothing_is_written(frozen, pipeline, template):
    before = rows()
    start, _end = f.planned_window(f.NOW)
    outside = open_change(pipeline, planned_start=start.replace(hour=2).isoformat(),
                          planned_end=start.replace(hour=3).isoformat())  # outside the deployment window
    assert outside.status_code == 409 and outside.json()["missing"], outside.json()
    template.risk_scores = dict(f.HIGH_RISK)
    template.save()
    high = open_change(pipeline)
    assert high.status_code == 409 and high.json()["missing"][0]["code"] == "template_conditions"
    assert_nothing_written(before)


@pytest.mark.parametrize(("overrides", "field"), [
    ({"template": "No such template"}, "template"),
    ({"template": True}, "template"),
    ({"service": "nope"}, "service"),
    ({"planned_start": ""}, "planned_start"),
    ({"planned_end": "tomorrow"}, "planned_end"),
    ({"implementation_plan": "Another plan"}, "implementation_plan"),  # controlled by the template
    ({"external_source": "JIRA", "external_key": "PAY-1"}, "external_source"),
])
def test_bad_input_is_a_400_naming_the_field(frozen, pipeline, template, overrides, field):
    before = rows()
    answer = open_change(pipeline, **overrides)
    assert answer.status_code == 400 and field in answer.json(), answer.json()
    assert_nothing_written(before)


def test_only_a_pipeline_token_scoped_to_the_service_opens_one(frozen, template, admin_user, environment, requester):
    other = f.make_service("search-api")
    f.make_service()
    _token, plain = issue_token(user=admin_user, name="search deploy", kind="pipeline", service_ids=[other.pk])
    before = rows()
    assert open_change(pipeline_client(plain)).status_code == 403
    assert open_change(client_for(requester)).status_code == 403
    assert_nothing_written(before)
