"""Deny by default, proven over the WHOLE URL configuration (API, pages, admin), so an endpoint added
anywhere is covered without being listed here:

- an anonymous caller and a logged-in user holding no role get no 2xx from any endpoint, whatever
  the method (only sign-in/out and the admin's own login page are open);
- a browser session that posts without its CSRF token is refused everywhere, and nothing is written.

Path converters are filled with the pk of an existing object of the model the parameter names
(`slot_id` → an approval slot, `pk` → a change), else with the change's pk or 1.
"""
import re
import uuid

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

from changemgmt.api.authentication import issue_token
from changes.models import StandardTemplate
from tests.api_helpers import assert_nothing_written, rows
from tests.lifecycle import in_approval

OPEN = {"login", "logout", "admin:login", "admin:logout", "ledger-public-key"}  # the public key is public
METHODS = ["get", "post", "put", "patch", "delete"]
WRITE_METHODS = ["post", "put", "patch", "delete"]
CONVERTER = re.compile(r"<(?:(?P<kind>\w+):)?(?P<name>\w+)>")
NAMED_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<body>[^()]*)\)")


def _pk_for(name: str, world: dict) -> str:
    if name in world:
        return str(world[name])
    model_name = name.removesuffix("_id").replace("_", "")
    for model in apps.get_models():
        if model._meta.model_name == model_name:
            pk = model.objects.order_by("pk").values_list("pk", flat=True).first()
            return str(pk or 1)
    return str(world.get("pk", 1))


def _fill_route(route: str, world: dict) -> str:
    def sample(match):
        kind, name = match.group("kind") or "str", match.group("name")
        if kind == "uuid":
            return str(uuid.uuid4())
        if kind in ("int", "path") or name.endswith("id") or name == "pk":
            return _pk_for(name, world)
        return world.get(name, "x")
    return CONVERTER.sub(sample, route)


def _fill_regex(regex: str, world: dict) -> str:
    def sample(match):
        body = match.group("body")
        if re.fullmatch(r"[\w|]+", body):  # alternatives of literals: take the first
            return body.split("|")[0]
        return _pk_for(match.group("name"), world) if "\\d" in body else ""
    text = NAMED_GROUP.sub(sample, regex)
    return text.lstrip("^").removesuffix("\\Z").removesuffix("$").replace("\\", "")


def walk(patterns=None, prefix="", namespace="", world=None):
    """Yield (url, name) for every endpoint of the URL configuration, with converters filled."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        pattern = entry.pattern
        piece = (_fill_route(str(pattern._route), world) if isinstance(pattern, RoutePattern)
                 else _fill_regex(pattern._regex, world) if hasattr(pattern, "_regex") else "")
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, prefix + piece, inner, world)
        elif isinstance(entry, URLPattern):
            yield "/" + prefix + piece, f"{namespace}{entry.name or ''}"


@pytest.fixture
def world(frozen, requester, peer):
    """One of each object an endpoint may address, so a refusal cannot hide behind a 404."""
    change = in_approval(requester)
    template = StandardTemplate.objects.create(name="Patch bump", description="d", category="application",
                                               implementation_plan="i", test_plan="t", rollback_plan="r")
    token, _plain = issue_token(user=requester, name="walker")
    return {"pk": change.pk, "change_id": change.pk, "id": change.pk, "slot_id": change.approval_slots.first().pk,
            "template_id": template.pk, "token_id": token.pk, "name": "submit"}


def endpoints(world):
    found = [(url, name) for url, name in walk(world=world) if name not in OPEN and not url.startswith("/static/")]
    urls = [url for url, _name in found]
    # The walk reaches the API, the pages and the admin.
    assert "/api/changes/" in urls and f"/api/approvals/{world['slot_id']}/decide/" in urls
    assert f"/changes/{world['pk']}/" in urls and any(url.startswith("/admin/changes/") for url in urls)
    return found


def _offenders(client, world):
    offenders = []
    for url, name in endpoints(world):
        for method in METHODS:
            if method == "get":
                response = client.get(url)
            else:
                response = getattr(client, method)(url, data="{}", content_type="application/json")
            if 200 <= response.status_code < 300:
                offenders.append(f"{method.upper()} {url} ({name}) -> {response.status_code}")
    return offenders


def test_no_endpoint_answers_an_anonymous_caller(world):
    before = rows()
    assert _offenders(Client(), world) == []
    assert_nothing_written(before)


def test_no_endpoint_answers_a_user_without_role(world, outsider):
    client = Client()
    client.force_login(outsider)
    before = rows()
    assert _offenders(client, world) == []
    assert_nothing_written(before)


def test_no_session_write_is_accepted_without_its_csrf_token(world, admin_user):
    """Even the most privileged session: every write method to every endpoint is refused (403 from
    the CSRF check; 401 where an endpoint accepts no session at all)."""
    admin_user.is_superuser = admin_user.is_staff = True
    admin_user.save()
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    before = rows()
    accepted = []
    for url, name in [*endpoints(world), ("/login/", "login"), ("/logout/", "logout")]:
        for method in WRITE_METHODS:
            response = getattr(client, method)(url, data="{}", content_type="application/json")
            if response.status_code not in (401, 403):
                accepted.append(f"{method.upper()} {url} ({name}) -> {response.status_code}")
    assert accepted == []
    assert_nothing_written(before)


@pytest.mark.parametrize("path", ["", "transitions/submit/", "risk/", "test-evidence/"])
def test_api_writes_name_the_missing_csrf_token(world, requester, path):
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(requester)
    url = f"/api/changes/{world['pk']}/{path}" if path else "/api/changes/"
    response = client.post(url, {}, format="json")
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]
