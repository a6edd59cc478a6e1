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
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

from approvals.models import OnCallShift
from approvals.services import delegation
from cab.choices import MeetingKind, Seat
from cab.models import BoardMember, Meeting
from cab.services import actions, agenda
from changemgmt.ledger import audit as ledger_audit
from changemgmt.ledger import tree_heads
from changemgmt.models import NotificationKind, OutboxEvent, WebhookDelivery, WebhookSubscription
from changemgmt.notifications import notify
from changemgmt.people_services import issue_token
from changemgmt.webhooks import services as webhook_services
from changes.calendar import services as calendar_services
from changes.calendar.models import ConfigurationItem
from changes.collaboration import services as collaboration
from changes.models import StandardTemplate
from tests.support import factories as f
from tests.support.api import assert_nothing_written, rows
from tests.support.lifecycle import in_approval

OPEN = {"login", "logout", "admin:login", "admin:logout", "ledger-public-key"}  # the public key is public
# The API's JSON 404 for unknown /api/ paths: it writes nothing, so it takes no CSRF token either.
WRITES_NOTHING = {"api-not-found"}
# Calendar feeds: the secret in the URL is the credential (calendar apps cannot log in); tests/calendar/test_feeds.py
# proves a wrong or revoked secret gets a 404.
CAPABILITY_URLS = {"calendar:user-feed", "calendar:service-feed"}
METHODS = ["get", "post", "put", "patch", "delete"]
WRITE_METHODS = ["post", "put", "patch", "delete"]
CONVERTER = re.compile(r"<(?:(?P<kind>\w+):)?(?P<name>\w+)>")
NAMED_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<body>[^()]*)\)")


# The path segment before an id names what it addresses (`/cab/items/<pk>/` an agenda item); admin
# pages name the model itself (`/admin/cab/actionitem/<object_id>/change/`).
SEGMENT_MODELS = {"items": "cab.agendaitem", "meetings": "cab.meeting", "action-items": "cab.actionitem",
                  "actions": "cab.actionitem", "windows": "changes.deploymentwindow", "freezes": "changes.freeze",
                  "services": "changes.service", "delegations": "approvals.delegation", "tokens": "changemgmt.apitoken",
                  "catalog": "changes.standardtemplate", "approvals": "approvals.approvalslot",
                  "inbox": "changemgmt.notification", "configuration-items": "changes.configurationitem",
                  "board": "cab.boardmember", "shifts": "approvals.oncallshift", "on-call": "approvals.oncallshift",
                  "subscriptions": "changemgmt.webhooksubscription", "deliveries": "changemgmt.webhookdelivery",
                  "checkpoints": "changemgmt.ledgercheckpoint"}


def _first_pk(model) -> str:
    pk = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
    return str(pk or 1)


def _model_named(label: str):
    for model in apps.get_models():
        if label in (model._meta.label_lower, model._meta.model_name):
            return model
    return None


def _pk_for(name: str, before: str, world: dict) -> str:
    """An existing object for the converter `name` that follows the path `before`."""
    segments = [piece for piece in before.split("/") if piece]
    if before.startswith("admin/") and len(segments) >= 3:
        model = _model_named(f"{segments[1]}.{segments[2]}")
        if model is not None:
            return _first_pk(model)
    label = SEGMENT_MODELS.get(segments[-1] if segments else "")
    if label and name in ("pk", "id", "object_id"):
        return _first_pk(_model_named(label))
    if name in world:
        return str(world[name])
    model = _model_named(name.removesuffix("_id").replace("_", ""))
    if model is not None:
        return _first_pk(model)
    return str(world.get("pk", 1))


def _fill_route(route: str, world: dict) -> str:
    """Fill every converter of a whole route (prefixes included), each with an object of its own kind."""
    filled, at = "", 0
    for match in CONVERTER.finditer(route):
        filled += route[at:match.start()]
        at = match.end()
        kind, name = match.group("kind") or "str", match.group("name")
        if kind == "uuid":
            filled += str(uuid.uuid4())
        elif kind in ("int", "path") or name.endswith("id") or name == "pk":
            filled += _pk_for(name, filled, world)
        else:
            filled += str(world.get(name, "x"))
    return filled + route[at:]


def _fill_regex(regex: str, world: dict) -> str:
    def sample(match):
        body = match.group("body")
        if re.fullmatch(r"[\w|]+", body):  # alternatives of literals: take the first
            return body.split("|")[0]
        before = match.string[:match.start()].lstrip("^")  # a router's route: `inbox/(?P<pk>\d+)/$`
        return _pk_for(match.group("name"), before, world) if "\\d" in body else ""
    text = NAMED_GROUP.sub(sample, regex)
    return text.lstrip("^").removesuffix("\\Z").removesuffix("$").replace("\\", "")


def walk(patterns=None, prefix="", namespace="", world=None):
    """Yield (url, name) for every endpoint of the URL configuration, with converters filled."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        pattern = entry.pattern
        piece = (str(pattern._route) if isinstance(pattern, RoutePattern)
                 else _fill_regex(pattern._regex, world) if hasattr(pattern, "_regex") else "")
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, prefix + piece, inner, world)
        elif isinstance(entry, URLPattern):
            yield "/" + _fill_route(prefix + piece, world), f"{namespace}{entry.name or ''}"


@pytest.fixture
def world(frozen, requester, peer, cab_chair, cab_member, admin_user, settings, tmp_path):
    """One of each object an endpoint may address, so a refusal cannot hide behind a 404 (the first
    notification is the administrator's: the inbox API shows a person only their own)."""
    notify(user=admin_user, kind=NotificationKind.values[0], title="Yours")
    change = in_approval(requester, external_source="jira", external_key="PAY-1")
    template = StandardTemplate.objects.create(name="Patch bump", description="d", category="application",
                                               implementation_plan="i", test_plan="t", rollback_plan="r")
    token, _plain = issue_token(user=admin_user, name="walker")  # the API shows a person only their own tokens
    BoardMember.objects.create(user=cab_chair, seat=Seat.CHAIR)
    BoardMember.objects.create(user=cab_member, seat=Seat.OPERATIONS)
    start = f.NOW + timedelta(days=2)
    meeting = Meeting.objects.create(kind=MeetingKind.REGULAR, title="Weekly CAB", starts_at=start,
                                     ends_at=start + timedelta(hours=1))
    agenda.add_item(meeting_id=meeting.pk, actor=cab_chair, change_id=change.pk, title="", note="")
    actions.create(actor=cab_chair, title="Check backups", owner=cab_member, due_on=(f.NOW + timedelta(days=7)).date())
    calendar_services.announce_freeze(actor=cab_chair, data={
        "name": "Year-end", "reason": "Finance close", "kind": "soft",
        "starts_at": (f.NOW + timedelta(days=30)).isoformat(), "ends_at": (f.NOW + timedelta(days=31)).isoformat()})
    delegation.create_delegation(actor=peer, delegate=cab_member, starts_on=f.NOW.date(),
                                 ends_on=(f.NOW + timedelta(days=3)).date())
    _feed, secret = calendar_services.issue_feed_token(actor=requester)
    notify(user=requester, kind=NotificationKind.values[0], title="Hello")
    service = f.make_service()
    ConfigurationItem.objects.create(service=service, name="primary db")
    OnCallShift.objects.create(role="manager", user=peer, starts_at=f.NOW, ends_at=f.NOW + timedelta(hours=12))
    subscription = WebhookSubscription.objects.create(url="https://hooks.example.com/", event_types=["*"],
                                                      secret=webhook_services.new_secret())
    WebhookDelivery.objects.create(subscription=subscription, event=OutboxEvent.objects.create(topic="test.walk"))
    settings.MEDIA_ROOT = str(tmp_path / "media")
    collaboration.add_attachment(change_id=change.pk, actor=requester, data={},
                                 files={"file": SimpleUploadedFile("runbook.md", b"# steps")})
    ledger_audit.create_checkpoint()
    head = tree_heads.sign_tree_head()
    return {"pk": change.pk, "change_id": change.pk, "id": change.pk,
            "slot_id": change.approval_slots.first().pk, "tree_size": head.tree_size, "template_id": template.pk,
            "token_id": token.pk, "name": "submit", "source": "jira", "key": "PAY-1",
            "setting": "retention_years", "kind": "services",
            "secret": secret, "service_id": service.pk, "action": "start"}


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
        if name in CAPABILITY_URLS:
            continue
        for method in METHODS:
            if method == "get":
                response = client.get(url)
            else:
                response = getattr(client, method)(url, data="{}", content_type="application/json")
            if 200 <= response.status_code < 300 or response.status_code >= 500:
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
            if response.status_code not in (401, 403) and name not in WRITES_NOTHING:
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


# Addressed by a one-time secret the walk cannot know (the confirmation link an authorizer is mailed).
SECRET_ADDRESSED = {"emergency:confirm"}


def test_every_endpoint_finds_its_object_so_no_refusal_hides_behind_a_404(world, admin_user):
    """With one object of every kind the API and the pages address, a superuser's GET of every such
    endpoint finds it (or is refused for the method): so the refusals the tests above see are real
    refusals, not 404s. The admin is left out: it sends anyone but staff to its login page before it
    looks an object up, so a missing object cannot hide a refusal there."""
    admin_user.is_superuser = admin_user.is_staff = True
    admin_user.save()
    client = Client()
    client.force_login(admin_user)
    missing = []
    for url, name in endpoints(world):
        if name in WRITES_NOTHING | SECRET_ADDRESSED or name.startswith("admin:"):
            continue
        response = client.get(url)
        if response.status_code == 404 or response.status_code >= 500:
            missing.append(f"GET {url} ({name}) -> {response.status_code}")
    assert missing == [], "\n".join(missing)


def test_unknown_api_paths_answer_a_json_404(world, requester):
    client = Client()
    client.force_login(requester)
    for url in ["/api/nothing-here/", "/api/changes/abc/", f"/api/changes/{world['pk']}/nope/"]:
        response = client.get(url)
        assert response.status_code == 404 and response.json() == {"detail": "Not found."}, url
