"""The gate in the OpenAPI schema: generated without a guess, its request, its three decisions as
examples, Retry-After, and every refusal answering `decision: deny`; its answer carries exactly the
documented fields."""
import pytest

from changes.pipeline.api.serializers import GateDecisionSerializer
from tests.support import lifecycle as life
from tests.support.schema import generate


@pytest.fixture(scope="module")
def schema():
    return generate(["changes.pipeline.api.urls"])


def test_the_pipeline_schema_has_no_warnings_or_errors(schema):
    assert schema["_warnings"] == {} and schema["_errors"] == {}


def test_the_gate_documents_its_decisions_with_examples_and_retry_after(schema):
    gate = schema["paths"]["/api/pipeline/gate/"]["post"]
    assert gate["operationId"] == "pipeline_gate"
    ok = gate["responses"]["200"]
    assert {"Allow", "Wait", "Deny"} <= set(ok["content"]["application/json"]["examples"])
    assert "Retry-After" in ok["headers"]
    assert {"400", "401", "403", "409", "500"} <= set(gate["responses"])
    request = gate["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert set(schema["components"]["schemas"][request]["properties"]) == {
        "change", "service", "environment", "artefact_digest", "pipeline_id", "run_id"}


def test_the_answer_carries_exactly_the_documented_fields(frozen, requester, pipeline):
    answer = pipeline.ask(life.filed(requester)).json()
    assert set(answer) == set(GateDecisionSerializer().fields)
