"""Subscriptions over the API: administrators only, each write one ledger entry that never holds the
secret, the secret shown once (creation, rotation), and URLs that would reach a private, loopback,
link-local or reserved address refused with 400 on `url`, nothing written."""
import pytest

from changemgmt import policy, policy_services
from changemgmt.models import LedgerEntry, WebhookSubscription
from tests.support.api import authenticated, patch_json, post_json
from tests.webhooks.conftest import PUBLIC_HOST

URL = f"https://{PUBLIC_HOST}/changemgmt"
LIST = "/api/webhooks/subscriptions/"


def written() -> tuple[int, int]:
    return WebhookSubscription.objects.count(), LedgerEntry.objects.count()


def create(client, **body):
    return post_json(client, LIST, {"url": URL, "event_types": ["change.*"], **body})


def test_an_administrator_subscribes_and_sees_the_secret_once(admin_user):
    client = authenticated(admin_user)
    response = create(client, description="Jira relay")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["secret"].startswith("whsec_") and body["event_types"] == ["change.*"] and body["is_active"]
    subscription = WebhookSubscription.objects.get(pk=body["id"])
    assert subscription.secret == body["secret"]
    shown = client.get(f"{LIST}{body['id']}/").json()
    assert "secret" not in shown and shown["url"] == URL
    assert all("secret" not in item for item in client.get(LIST).json()["results"])
    entry = LedgerEntry.objects.get()
    assert entry.action == "webhook.subscription_created" and entry.actor_name == admin_user.username
    assert body["secret"] not in str(entry.payload) and entry.payload["url"] == URL


@pytest.mark.parametrize("url", [
    "http://10.0.0.1/hook", "http://127.0.0.1:8080/hook", "http://[::1]/hook", "http://169.254.169.254/latest",
    "http://localhost/hook", "http://[::ffff:127.0.0.1]/hook", "http://192.168.1.20/hook", "http://0.0.0.0/",
])
def test_a_url_resolving_to_a_private_address_is_refused_naming_url(admin_user, url):
    before = written()
    response = create(authenticated(admin_user), url=url)
    assert response.status_code == 400
    message = response.json()["url"][0]
    assert "public addresses" in message and "WEBHOOKS_ALLOW_PRIVATE_DESTINATIONS" in message
    assert written() == before


@pytest.mark.parametrize(("url", "rule"), [
    ("ftp://hooks.example.com/", "https://"), ("hooks.example.com/x", "https://"), ("https:///nohost", "host"),
    ("https://user:pw@hooks.example.com/", "password"), ("https://no-such-host.invalid/", "does not resolve"),
    ("", "URL"),
])
def test_a_url_that_is_not_a_reachable_http_url_is_refused(admin_user, url, rule):
    before = written()
    response = create(authenticated(admin_user), url=url)
    assert response.status_code == 400 and rule in response.json()["url"][0]
    assert written() == before


def test_the_setting_allows_a_private_destination(admin_user, private_allowed):
    assert create(authenticated(admin_user), url="http://127.0.0.1:9000/hook").status_code == 201


@pytest.mark.parametrize("body", [{"event_types": []}, {"event_types": ["Change!"]}, {"event_types": ["a", "a"]},
                                  {"colour": "red"}, {"description": "x" * 201}])
def test_bad_fields_are_named(admin_user, body):
    before = written()
    response = create(authenticated(admin_user), **body)
    assert response.status_code == 400 and set(body) <= set(response.json())
    assert written() == before


def test_everyone_but_an_administrator_is_refused_and_nothing_is_written(admin_user, requester, auditor, manager):
    subscription_id = create(authenticated(admin_user)).json()["id"]
    before = written()
    for user in (requester, manager, auditor):
        client = authenticated(user)
        assert create(client).status_code == 403
        assert patch_json(client, f"{LIST}{subscription_id}/", {"description": "x"}).status_code == 403
        assert client.post(f"{LIST}{subscription_id}/rotate-secret/").status_code == 403
        assert client.delete(f"{LIST}{subscription_id}/").status_code == 403
    assert written() == before
    assert authenticated(requester).get(LIST).status_code == 403
    assert authenticated(auditor).get(LIST).status_code == 200  # auditors read


def test_every_write_is_one_ledger_entry(admin_user):
    client = authenticated(admin_user)
    subscription_id = create(client).json()["id"]
    old_secret = WebhookSubscription.objects.get(pk=subscription_id).secret
    steps = [
        (lambda: patch_json(client, f"{LIST}{subscription_id}/", {"event_types": ["*"]}), 200,
         "webhook.subscription_updated"),
        (lambda: client.post(f"{LIST}{subscription_id}/rotate-secret/"), 200, "webhook.secret_rotated"),
        (lambda: post_json(client, f"{LIST}{subscription_id}/disable/", {"reason": "Receiver retired"}), 200,
         "webhook.subscription_disabled"),
        (lambda: client.post(f"{LIST}{subscription_id}/enable/"), 200, "webhook.subscription_enabled"),
        (lambda: client.delete(f"{LIST}{subscription_id}/"), 204, "webhook.subscription_deleted"),
    ]
    for call, status, action in steps:
        count = LedgerEntry.objects.count()
        response = call()
        assert response.status_code == status, (action, response.content)
        assert list(LedgerEntry.objects.filter(seq__gt=count).values_list("action", flat=True)) == [action]
        if action == "webhook.secret_rotated":
            assert response.json()["secret"] not in (old_secret, None)
    assert not WebhookSubscription.objects.exists()
    assert not any("whsec_" in str(payload) for payload in LedgerEntry.objects.values_list("payload", flat=True))


def test_disable_needs_a_reason_and_twice_is_a_conflict(admin_user):
    client = authenticated(admin_user)
    subscription_id = create(client).json()["id"]
    before = written()
    assert post_json(client, f"{LIST}{subscription_id}/disable/", {}).json() == {
        "reason": ["Say why the subscription is disabled."]}
    assert client.post(f"{LIST}{subscription_id}/enable/").status_code == 409
    assert written() == before


def test_the_policy_refuses_disabling_after_zero_days(admin_user):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="webhooks.disable_after_days"):
        policy_services.update_setting(key="webhooks", value={"disable_after_days": 0}, actor=admin_user)
    assert policy.get("webhooks") == {"disable_after_days": 5}
