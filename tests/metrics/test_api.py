"""GET /api/metrics/: the report as the serializer renders it, the filters, 400 naming a bad field, 403 for
everyone but the readers, and the operation in the OpenAPI schema with its example."""
import pytest
from rest_framework.test import APIClient

from tests.metrics.conftest import period_key


@pytest.fixture
def api(people):
    client = APIClient()
    client.force_authenticate(people["auditor"])
    return client


def test_the_api_answers_the_report(api, month):
    body = api.get("/api/metrics/", {"period": period_key()}).json()
    measures = {m["code"]: m for m in body["measures"]}
    assert body["period"]["key"] == period_key()
    assert measures["success_rate"] == {
        "code": "success_rate", "label": "Change success rate", "value": 60.0, "unit": "%", "target": 95.0,
        "comparison": "above", "met": False, "status": "missed", "numerator": 3, "denominator": 5}
    assert {m["code"]: m["status"] for m in body["dora"]}["time_to_restore"] == "missed"
    assert [(row["team"], row["score"]) for row in body["scores"]] == [("Payments", 50.0), ("Search", 100.0)]
    assert body["flagged_teams"][0]["team"] == "Payments" and body["predicts"] is False
    assert body["notes"]


def test_the_api_filters(api, month):
    body = api.get("/api/metrics/", {"period": period_key(), "type": "emergency"}).json()
    assert {m["code"]: m["denominator"] for m in body["measures"]}["emergency_rate"] == 1


@pytest.mark.parametrize("query, field", [
    ({"period": "last-week"}, "period"), ({"risk": "extreme"}, "risk"), ({"team": "abc"}, "team"),
    ({"service": "999999"}, "service"), ({"type": "weird"}, "type"), ({"colour": "red"}, "colour"),
    ({"team": "99999999999999999999"}, "team"), ({"service": "-1"}, "service"), ({"period": "0000-01"}, "period"),
])
def test_a_bad_filter_is_a_400_naming_the_field(api, month, query, field):
    response = api.get("/api/metrics/", query)
    assert response.status_code == 400 and field in response.json()


@pytest.mark.parametrize("who, status", [("admin", 200), ("manager", 200), ("auditor", 200), ("outsider", 403)])
def test_only_readers_get_the_metrics(month, people, who, status):
    client = APIClient()
    client.force_authenticate(people[who])
    assert client.get("/api/metrics/").status_code == status


def test_the_schema_documents_the_operation_with_its_example(people, db):
    client = APIClient()
    client.force_authenticate(people["admin"])
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operation = schema["paths"]["/api/metrics/"]["get"]
    assert operation["operationId"] == "metrics_report"
    assert {p["name"] for p in operation["parameters"]} == {"period", "team", "service", "risk", "type"}
    assert set(operation["responses"]) == {"200", "400", "403"}
    assert "November" in operation["responses"]["200"]["content"]["application/json"]["examples"]
