"""A policy edit made in one process (web, worker, beat) is seen by every other at its next request or
task, not after a cache timeout; within one request or task the policy stays the same.

Another process is simulated by writing, outside this process's policy module, exactly what its
`update_setting` leaves in the database: the new row value and a bumped revision. This process's
in-memory copy is not told.
"""
import pytest
from celery import shared_task
from django.core.signals import request_started
from django.db import close_old_connections, connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from changemgmt import policy, policy_services
from changemgmt.models import PolicyRevision, PolicySetting


@shared_task(name="tests.policy_freshness.read_monitoring_minutes")
def read_monitoring_minutes():
    return policy.get("monitoring_minutes")["low"]


def edit_in_another_process(key, value):
    PolicySetting.objects.filter(key=key).update(value=value)
    PolicyRevision.objects.get_or_create(pk=1)
    PolicyRevision.objects.filter(pk=1).update(number=F("number") + 1)


def another_process_sets_low_monitoring_to(minutes):
    edit_in_another_process("monitoring_minutes", {**policy.get("monitoring_minutes"), "low": minutes})


def a_new_request_starts():
    """Announce a request as the test client does: without close_old_connections, which would close the
    connection holding the test's transaction (it passed on a fresh connection only)."""
    request_started.disconnect(close_old_connections)
    try:
        request_started.send(sender=None)
    finally:
        request_started.connect(close_old_connections)


@pytest.mark.django_db
def test_an_edit_elsewhere_is_seen_by_the_next_request_and_not_in_the_middle_of_this_one(client):
    assert policy.get("monitoring_minutes")["low"] == 30
    another_process_sets_low_monitoring_to(45)
    assert policy.get("monitoring_minutes")["low"] == 30  # this request keeps the policy it started with
    client.get("/")  # the next request (the test client runs it in this thread)
    assert policy.get("monitoring_minutes")["low"] == 45


@pytest.mark.django_db
def test_an_edit_elsewhere_is_seen_by_the_next_celery_task():
    assert read_monitoring_minutes.apply().get() == 30
    another_process_sets_low_monitoring_to(60)
    assert read_monitoring_minutes.apply().get() == 60


@pytest.mark.django_db
def test_a_setting_deleted_elsewhere_falls_back_to_its_default_at_the_next_request():
    another_process_sets_low_monitoring_to(45)
    a_new_request_starts()
    assert policy.get("monitoring_minutes")["low"] == 45
    PolicySetting.objects.filter(key="monitoring_minutes").delete()
    PolicyRevision.objects.filter(pk=1).update(number=F("number") + 1)
    a_new_request_starts()
    assert policy.get("monitoring_minutes")["low"] == 30


@pytest.mark.django_db
def test_an_unchanged_policy_costs_one_query_per_request_however_often_it_is_read():
    policy.get("cab")
    a_new_request_starts()
    with CaptureQueriesContext(connection) as queries:
        for key in ("cab", "approval_matrix", "risk_bands", "monitoring_minutes"):
            policy.get(key)
    assert len(queries) == 1


@pytest.mark.django_db
def test_this_process_sees_its_own_edit_at_once(admin_user):
    policy.get("monitoring_minutes")
    policy_services.update_setting(key="monitoring_minutes", value={**policy.get("monitoring_minutes"), "low": 90},
                          actor=admin_user)
    assert policy.get("monitoring_minutes")["low"] == 90
    assert PolicyRevision.objects.get(pk=1).number >= 1


@pytest.mark.django_db
def test_a_signed_in_request_reads_the_revision_with_its_user_and_still_sees_an_edit_elsewhere(requester):
    """changemgmt.backends reads the policy revision in the user's own query: the request's policy
    check then costs no query, and an edit made elsewhere is still seen from the next request on."""
    from django.contrib.auth import get_user_model

    from changemgmt.backends import RolesBackend

    policy.get("cab")
    a_new_request_starts()
    with CaptureQueriesContext(connection) as queries:
        RolesBackend().get_user(requester.pk)
        for key in ("cab", "approval_matrix", "monitoring_minutes"):
            policy.get(key)
    assert len(queries) == 1  # the user, with its roles, inbox state and the policy revision
    another_process_sets_low_monitoring_to(75)
    assert policy.get("monitoring_minutes")["low"] == 30  # not in the middle of this request
    a_new_request_starts()
    with CaptureQueriesContext(connection) as queries:
        assert RolesBackend().get_user(requester.pk) == get_user_model().objects.get(pk=requester.pk)
        assert policy.get("monitoring_minutes")["low"] == 75
    assert len(queries) == 3  # the user; the test's own read to compare; the changed policy's rows, reloaded


@pytest.mark.django_db
def test_a_revision_read_by_an_earlier_request_is_not_trusted_by_the_next(requester):
    from changemgmt.backends import RolesBackend

    RolesBackend().get_user(requester.pk)  # observes the revision for this request only
    another_process_sets_low_monitoring_to(50)
    a_new_request_starts()  # no user read in this one: it asks the database itself
    assert policy.get("monitoring_minutes")["low"] == 50
