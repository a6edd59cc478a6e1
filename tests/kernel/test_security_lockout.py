"""Login and API-token guessing is throttled, by account and by client, and the user is told how
long to wait (issue 9 §7): django-axes on the login pages, a failed-token throttle on the API."""
import io
import secrets
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.test.client import RequestFactory
from django.urls import reverse
from rest_framework.test import APIClient

from changemgmt.lockout import client_ip
from changemgmt.people_services import issue_token
from tests.support import factories as f

WRONG = "not-the-password"
LOCKOUT_SECONDS = 15 * 60


@pytest.fixture(autouse=True)
def _fresh_token_throttle():
    """The failed-token counts live in the cache, which outlives a test's database rollback."""
    cache.clear()
    yield
    cache.clear()


def log_in(username, password, *, ip="10.0.0.1", path=None, client=None):
    client = client or Client(REMOTE_ADDR=ip)
    response = client.post(path or reverse("login"), {"username": username, "password": password})
    return client, response


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_thirty_wrong_passwords_then_the_right_one_is_refused_and_says_how_long_to_wait(db, requester):
    for _ in range(30):
        log_in("alice", WRONG)

    client, response = log_in("alice", f.PASSWORD)

    assert response.status_code == 429
    assert response["Retry-After"] == str(LOCKOUT_SECONDS)
    assert "try again in 15 minutes" in response.content.decode()
    assert not logged_in(client)


def test_fewer_failures_than_the_limit_still_log_in(db, requester):
    for _ in range(4):
        _client, response = log_in("alice", WRONG)
        assert response.status_code == 200 and "match. Please try again" in response.content.decode()

    client, response = log_in("alice", f.PASSWORD)

    assert response.status_code == 302 and logged_in(client)


def test_an_account_locked_from_one_client_is_locked_from_every_client(db, requester):
    for _ in range(5):
        log_in("alice", WRONG, ip="10.0.0.1")

    client, response = log_in("alice", f.PASSWORD, ip="10.9.9.9")

    assert response.status_code == 429 and not logged_in(client)


def test_a_client_guessing_many_accounts_is_locked_out_for_every_account(db, requester, peer):
    for number in range(5):
        log_in(f"someone{number}", WRONG, ip="10.6.6.6")

    client, response = log_in("bob", f.PASSWORD, ip="10.6.6.6")
    assert response.status_code == 429 and not logged_in(client)

    elsewhere, response = log_in("bob", f.PASSWORD, ip="10.0.0.2")
    assert response.status_code == 302 and logged_in(elsewhere)


def test_the_lockout_ends_after_the_wait_it_announced(db, requester, frozen):
    for _ in range(5):
        log_in("alice", WRONG)
    assert log_in("alice", f.PASSWORD)[1].status_code == 429

    frozen.shift(timedelta(seconds=LOCKOUT_SECONDS + 1))
    client, response = log_in("alice", f.PASSWORD)

    assert response.status_code == 302 and logged_in(client)


def test_a_successful_log_in_does_not_clear_the_clients_count(db, requester, peer):
    for number in range(4):
        log_in(f"someone{number}", WRONG, ip="10.7.7.7")
    assert log_in("alice", f.PASSWORD, ip="10.7.7.7")[1].status_code == 302
    log_in("someone-else", WRONG, ip="10.7.7.7")

    assert log_in("bob", f.PASSWORD, ip="10.7.7.7")[1].status_code == 429


def test_an_administrator_lifts_a_lockout_early(db, requester):
    for _ in range(5):
        log_in("alice", WRONG)
    assert log_in("alice", f.PASSWORD, ip="10.0.0.3")[1].status_code == 429

    call_command("axes_reset_username", "alice", stdout=io.StringIO())

    assert log_in("alice", f.PASSWORD, ip="10.0.0.3")[1].status_code == 302


def test_the_admin_login_is_locked_out_too(db, admin_user):
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    for _ in range(5):
        log_in("ada", WRONG, path="/admin/login/")

    client, response = log_in("ada", f.PASSWORD, path="/admin/login/")

    assert response.status_code == 429 and not logged_in(client)


def test_test_clients_log_in_without_a_request(db, requester):
    """Client.login calls authenticate() with no request; the lockout backend lets it through."""
    client = Client()
    assert client.login(username="alice", password=f.PASSWORD)
    assert client.get(reverse("dashboard")).status_code == 200


def _random_token() -> str:
    return f"cm_{secrets.token_hex(4)}_{secrets.token_urlsafe(32)}"


def test_two_hundred_random_tokens_are_throttled_after_twenty_with_retry_after(db):
    api = APIClient(REMOTE_ADDR="10.1.1.1")

    statuses = [api.get("/api/changes/", HTTP_AUTHORIZATION=f"Bearer {_random_token()}").status_code
                for _ in range(200)]

    assert statuses[:20] == [401] * 20
    assert set(statuses[20:]) == {429}
    response = api.get("/api/changes/", HTTP_AUTHORIZATION=f"Bearer {_random_token()}")
    assert 0 < int(response["Retry-After"]) <= 300
    assert "Too many failed API token attempts" in response.json()["detail"]


def test_a_throttled_client_waits_even_with_a_valid_token_then_gets_in(db, requester, frozen):
    _token, plain = issue_token(user=requester, name="ci")
    api = APIClient(REMOTE_ADDR="10.1.1.2")
    for _ in range(20):
        api.get("/api/changes/", HTTP_AUTHORIZATION=f"Bearer {_random_token()}")

    assert api.get("/api/changes/", HTTP_AUTHORIZATION=f"Bearer {plain}").status_code == 429
    other_client = APIClient(REMOTE_ADDR="10.1.1.3")
    assert other_client.get("/api/changes/", HTTP_AUTHORIZATION=f"Bearer {plain}").status_code == 200

    frozen.shift(timedelta(minutes=5, seconds=1))
    assert api.get("/api/changes/", HTTP_AUTHORIZATION=f"Bearer {plain}").status_code == 200


def test_a_valid_token_is_never_throttled(db, requester):
    _token, plain = issue_token(user=requester, name="pipeline")
    api = APIClient(REMOTE_ADDR="10.1.1.4")

    statuses = {api.get("/api/changes/", HTTP_AUTHORIZATION=f"Bearer {plain}").status_code for _ in range(40)}

    assert statuses == {200}


def test_behind_the_tls_proxy_the_client_is_the_hop_the_proxy_added(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="172.16.0.5", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    settings.BEHIND_TLS_PROXY = False
    assert client_ip(request) == "172.16.0.5"
    settings.BEHIND_TLS_PROXY = True
    assert client_ip(request) == "203.0.113.7"  # the forged first hop is ignored
