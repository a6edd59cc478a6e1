"""Every endpoint issue 10 added (the pipeline gate, deployments and opening changes, webhooks, API tokens,
the inbox, services, items and the catalog, policy, the CAB board, on-call, feed secrets, the external
reference) carries OpenAPI examples (drf-spectacular OpenApiExample) in /api/schema/, and each example is
valid against the schema it illustrates. DELETE answers 204 without a body: nothing to illustrate."""
import copy

import jsonschema
import pytest
from drf_spectacular.generators import SchemaGenerator

COVERED = ("/api/pipeline/", "/api/webhooks/", "/api/tokens/", "/api/inbox/", "/api/services/",
           "/api/configuration-items/", "/api/catalog/", "/api/policy/", "/api/cab/board/", "/api/on-call/",
           "/api/calendar/feed-secrets/", "/api/changes/by-external/",
           # the change list's and My approvals' actions (changes.lists.api, approvals.api.bulk)
           "/api/changes/saved-filters/", "/api/changes/bulk/", "/api/changes/export.csv",
           "/api/approvals/grant-selected/")
METHODS = ("get", "post", "put", "patch")


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _covered(schema):
    return [(method.upper(), path, operation) for path, operations in sorted(schema["paths"].items())
            if path.startswith(COVERED) for method, operation in operations.items() if method in METHODS]


def _media(operation):
    """(where, media schema, examples) of the request body and of every answer with a body."""
    bodies = [("request", operation.get("requestBody", {}).get("content", {}))]
    bodies += [(f"response {code}", answer.get("content") or {}) for code, answer in operation["responses"].items()]
    return [(where, media.get("schema", {}), media.get("examples", {}))
            for where, content in bodies for media in content.values()]


def _json_schema(node):
    """OpenAPI 3.0 `nullable` in JSON Schema terms, so jsonschema checks nulls as the API answers them."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _json_schema(value) for key, value in node.items()}
    if node.pop("nullable", False):
        node = {"anyOf": [node, {"type": "null"}]}
    return node


def test_every_covered_endpoint_exists_in_the_schema(schema):
    found = {prefix for _method, path, _operation in _covered(schema) for prefix in COVERED if path.startswith(prefix)}
    assert found == set(COVERED)


def test_every_new_endpoint_has_examples(schema):
    missing = [f"{method} {path}" for method, path, operation in _covered(schema)
               if not any(examples for _where, _schema, examples in _media(operation))]
    assert missing == []


def test_every_example_is_valid_against_its_schema(schema):
    components = _json_schema(copy.deepcopy(schema["components"]))
    invalid = []
    for method, path, operation in _covered(schema):
        for where, media_schema, examples in _media(operation):
            for name, example in examples.items():
                root = {**_json_schema(media_schema), "components": components}
                errors = list(jsonschema.Draft7Validator(root).iter_errors(example["value"]))
                if errors:
                    invalid.append(f"{method} {path} {where} {name}: {errors[0].message}")
    assert invalid == []
