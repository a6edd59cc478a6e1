"""Pipeline tokens: an administrator issues one on the API tokens page, scoped to services; it calls
the gate and nothing else (every other API endpoint refuses it, whatever its issuer's roles)."""
import re

from django.urls import URLPattern, URLResolver, get_resolver, reverse

from changemgmt.api.permissions import PIPELINE_TOKEN_REFUSED
from changemgmt.models import ApiToken, LedgerEntry
from changemgmt.people_services import issue_token
from tests.pipeline.helpers import pipeline_client
from tests.support import factories as f

GATE = "api-pipeline-gate"
CONVERTER = re.compile(r"<(?:\w+:)?\w+>")


def test_an_administrator_issues_a_pipeline_token_scoped_to_services(client, admin_user):
    service = f.make_service()
    client.force_login(admin_user)
    page = client.get(reverse("tokens")).content.decode()
    assert 'name="kind"' in page and service.name in page
    response = client.post(reverse("tokens"), {"name": "deploy", "kind": "pipeline", "services": [service.pk]})
    assert response.context["created"]["plain"].startswith("cm_")
    token = ApiToken.objects.get()
    assert token.is_pipeline and list(token.services.all()) == [service]
    entry = LedgerEntry.objects.get(action="api_token.issued")
    assert entry.payload["kind"] == "pipeline" and entry.payload["services"] == [service.name]
    assert "Pipeline: payments-api" in client.get(reverse("tokens")).content.decode()


def test_only_administrators_issue_pipeline_tokens_and_only_with_services(client, requester, admin_user):
    service = f.make_service()
    client.force_login(requester)
    assert 'name="kind"' not in client.get(reverse("tokens")).content.decode()
    client.post(reverse("tokens"), {"name": "sneaky", "kind": "pipeline", "services": [service.pk]})
    client.force_login(admin_user)
    client.post(reverse("tokens"), {"name": "unscoped", "kind": "pipeline"})
    client.post(reverse("tokens"), {"name": "odd", "kind": "root"})
    assert not ApiToken.objects.exists() and not LedgerEntry.objects.filter(action="api_token.issued").exists()


REGEX_GROUP = re.compile(r"\(\?P<\w+>(?P<body>[^()]*)\)")


def _sample(group: re.Match) -> str:
    """A value the route's group accepts: an id, or the first of the names it lists (a notification kind, a
    policy key)."""
    return next(value for value in ("1", group["body"].split("|")[0]) if re.fullmatch(group["body"], value))
PIPELINE_DOORS = (GATE, "api-pipeline-deployments", "api-pipeline-open-change", "api-not-found")


def _api_paths(patterns, prefix="/api/"):
    for pattern in patterns:
        # a router's routes are regular expressions (^services/(?P<pk>[^/.]+)/$), the others path converters
        route = REGEX_GROUP.sub(_sample, str(pattern.pattern).lstrip("^").rstrip("$"))
        if isinstance(pattern, URLResolver):
            yield from _api_paths(pattern.url_patterns, prefix + route)
        elif isinstance(pattern, URLPattern) and pattern.name not in PIPELINE_DOORS:
            yield pattern.name, prefix + CONVERTER.sub("1", route)


def test_a_pipeline_token_is_refused_by_every_other_api_endpoint(pipeline_token):
    client = pipeline_client(pipeline_token[1])
    paths = dict(_api_paths(get_resolver("changemgmt.api.urls").url_patterns))
    paths.update({"api-schema": reverse("api-schema"), "api-docs": reverse("api-docs")})
    assert len(paths) > 30
    for name, path in paths.items():
        for method in ("get", "post", "patch", "delete"):
            body = {} if method == "get" else {"data": "{}", "content_type": "application/json"}
            response = getattr(client, method)(path, **body)
            assert response.status_code == 403, (name, method, response.status_code)
            assert str(response.data["detail"]) == PIPELINE_TOKEN_REFUSED, (name, method)


def test_personal_tokens_and_sessions_cannot_call_the_gate(client, admin_user, environment):
    _token, plain = issue_token(user=admin_user, name="me")
    change_like = type("Named", (), {"reference": "CHG-000001"})()
    assert pipeline_client(plain).ask(change_like).status_code == 403
    client.force_login(admin_user)
    assert client.post(reverse(GATE), "{}", content_type="application/json").status_code == 403
