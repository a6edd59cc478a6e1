"""The session engine (changemgmt.sessions): Django's database backend over a session table whose rows
name their user, read together with that user in one query — the same sessions, the same expiry rule,
the same user, roles and inbox state the authentication backend reads on its own."""
from datetime import timedelta
from importlib import import_module

import pytest
import time_machine
from django.apps import apps
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DjangoStore
from django.core.signals import request_started
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from changemgmt import sessions as engine
from changemgmt.backends import RolesBackend
from changemgmt.models import UserSession
from changemgmt.roles import roles_of

copy_open_sessions = import_module("changemgmt.migrations.0025_user_session").copy_open_sessions


class SessionStore(DjangoStore):
    """Django's own database backend over the same table: what the engine must read back (named as
    Django's class is, since the name salts the session data's signature)."""

    @classmethod
    def get_model_class(cls):
        return UserSession


def test_the_project_keeps_sessions_in_the_database_through_this_engine():
    assert settings.SESSION_ENGINE == "changemgmt.sessions"
    assert issubclass(engine.SessionStore, DjangoStore)
    assert engine.SessionStore.get_model_class() is UserSession


@pytest.mark.django_db
def test_a_session_reads_back_as_djangos_backend_reads_it_in_one_query():
    store = engine.SessionStore()
    store["who"] = "ada"
    store.save()
    with CaptureQueriesContext(connection) as queries:
        mine = engine.SessionStore(store.session_key).load()
    assert len(queries) == 1
    assert mine == SessionStore(store.session_key).load() == {"who": "ada"}
    assert UserSession.objects.get(pk=store.session_key).user_id is None


@pytest.mark.django_db
def test_an_expired_unknown_or_missing_key_is_no_session_and_is_dropped():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        store = engine.SessionStore()
        store["who"] = "ada"
        store.set_expiry(60)
        store.save()
        traveller.shift(timedelta(seconds=60))  # expires now: gone, as `expire_date > now` in Django's query
        for key in (store.session_key, "x" * 32, None):
            reader = engine.SessionStore(key)
            assert reader.load() == {} and reader.session_key is None
            assert SessionStore(key).load() == {}


@pytest.mark.django_db
def test_a_signed_in_session_names_its_user_and_brings_it_with_its_roles_in_one_query(client, requester):
    client.force_login(requester)
    key = client.session.session_key
    assert UserSession.objects.get(pk=key).user_id == requester.pk
    with CaptureQueriesContext(connection) as queries:
        data = engine.SessionStore(key).load()
        user = RolesBackend().get_user(data["_auth_user_id"])
    assert len(queries) == 1
    assert user == requester and user.username == requester.username
    assert roles_of(user) == roles_of(RolesBackend().get_user(requester.pk))


@pytest.mark.django_db
def test_the_user_read_with_a_session_serves_that_request_only(client, requester, manager):
    client.force_login(requester)
    engine.SessionStore(client.session.session_key).load()
    with CaptureQueriesContext(connection) as queries:
        assert RolesBackend().get_user(manager.pk) == manager  # another id: its own query
    assert len(queries) == 1
    engine.SessionStore(client.session.session_key).load()
    request_started.disconnect(close_old_connections)  # keep the test's connection open
    try:
        request_started.send(sender=None)  # the next request: what the last one read is gone
    finally:
        request_started.connect(close_old_connections)
    with CaptureQueriesContext(connection) as queries:
        assert RolesBackend().get_user(requester.pk) == requester
    assert len(queries) == 1


@pytest.mark.django_db
def test_a_row_that_names_no_user_still_signs_its_user_in_with_the_users_own_query(client, requester):
    client.force_login(requester)
    UserSession.objects.filter(pk=client.session.session_key).update(user=None)
    assert client.get("/inbox/").status_code == 200


@pytest.mark.django_db
def test_a_signed_in_page_still_works_and_signing_out_ends_the_session(client, requester):
    client.force_login(requester)
    assert client.get("/inbox/").status_code == 200
    client.logout()
    assert client.get("/inbox/").status_code == 302
    assert not UserSession.objects.exists()


@pytest.mark.django_db
def test_a_deactivated_user_is_signed_out_on_the_next_request(client, requester):
    client.force_login(requester)
    type(requester).objects.filter(pk=requester.pk).update(is_active=False)
    assert client.get("/inbox/").status_code == 302


@pytest.mark.django_db
def test_the_upgrade_copies_open_sessions_with_the_user_their_data_names(requester):
    from django.contrib.sessions.models import Session

    signed_in = Session.objects.save("a" * 32, {"_auth_user_id": str(requester.pk)}, timezone.now() + timedelta(days=1))
    gone_user = Session.objects.save("b" * 32, {"_auth_user_id": "999999"}, timezone.now() + timedelta(days=1))
    anonymous = Session.objects.save("c" * 32, {"who": "ada"}, timezone.now() + timedelta(days=1))
    copy_open_sessions(apps, None)
    copied = dict(UserSession.objects.values_list("session_key", "user_id"))
    assert copied == {signed_in.session_key: requester.pk, gone_user.session_key: None, anonymous.session_key: None}
    assert engine.SessionStore("a" * 32).load() == {"_auth_user_id": str(requester.pk)}
    assert not Session.objects.exists()
