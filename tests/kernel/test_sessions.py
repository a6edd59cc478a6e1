"""The session engine (changemgmt.sessions) is Django's database backend with its read compiled once:
the same sessions, the same expiry rule, one query."""
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DjangoStore
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from changemgmt.sessions import SessionStore


def test_the_project_keeps_sessions_in_the_database_through_this_engine():
    assert settings.SESSION_ENGINE == "changemgmt.sessions"
    assert issubclass(SessionStore, DjangoStore)


@pytest.mark.django_db
def test_a_session_reads_back_as_djangos_backend_reads_it_in_one_query():
    store = SessionStore()
    store["who"] = "ada"
    store.save()
    with CaptureQueriesContext(connection) as queries:
        mine = SessionStore(store.session_key).load()
    assert len(queries) == 1
    assert mine == DjangoStore(store.session_key).load() == {"who": "ada"}


@pytest.mark.django_db
def test_an_expired_unknown_or_missing_key_is_no_session_and_is_dropped():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        store = SessionStore()
        store["who"] = "ada"
        store.set_expiry(60)
        store.save()
        traveller.shift(timedelta(seconds=60))  # expires now: gone, as `expire_date > now` in Django's query
        for key in (store.session_key, "x" * 32, None):
            reader = SessionStore(key)
            assert reader.load() == {} and reader.session_key is None
            assert DjangoStore(key).load() == {}


@pytest.mark.django_db
def test_a_signed_in_page_still_works_and_signing_out_ends_the_session(client, requester):
    client.force_login(requester)
    assert client.get("/inbox/").status_code == 200
    client.logout()
    assert client.get("/inbox/").status_code == 302
