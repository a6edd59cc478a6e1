"""With the broker unreachable (Redis down), pages and the API keep working: queuing a task after
commit fails, is logged, and the periodic sweeps catch up when the broker is back."""
import logging

import pytest
from rest_framework.test import APIClient

from approvals.models import ApprovalSlot
from changemgmt.celery import app
from tests.support.approvals import change_in_approval

CLOSED_PORT = "redis://127.0.0.1:1/0"


@pytest.fixture
def broker_down():
    """The Celery app publishes to a closed port, not eagerly (restored afterwards, pools included)."""
    saved = (app.conf.broker_url, app.conf.task_always_eager)
    app.conf.broker_url, app.conf.task_always_eager = CLOSED_PORT, False
    app._pool = app.amqp._producer_pool = None
    yield
    app.conf.broker_url, app.conf.task_always_eager = saved
    app._pool = app.amqp._producer_pool = None


def test_filing_and_deciding_work_while_the_broker_is_down(frozen, broker_down, requester, peer, caplog,
                                                          django_capture_on_commit_callbacks):
    caplog.set_level(logging.WARNING, logger="changemgmt.tasking")
    with django_capture_on_commit_callbacks(execute=True):
        change = change_in_approval(requester)  # notifications are queued after commit: that fails
    slot = ApprovalSlot.objects.filter(change=change).first()
    client = APIClient()
    client.force_authenticate(peer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/approvals/{slot.pk}/decide/", {"verdict": "grant"}, format="json")
    assert response.status_code == 200
    assert client.get("/api/approvals/mine/").status_code == 200
    assert ApprovalSlot.objects.get(pk=slot.pk).status == "granted"
    assert any("periodic sweep will catch up" in record.getMessage() for record in caplog.records)


def test_my_approvals_page_works_while_the_broker_is_down(frozen, broker_down, client, requester, peer,
                                                          django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        change_in_approval(requester, title="Still visible")
    client.force_login(peer)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.get("/approvals/queue/")
    assert page.status_code == 200 and "Still visible" in page.content.decode()
