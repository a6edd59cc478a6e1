"""Fixtures of the webhook tests: a public host name that resolves without the network, the
private-destination setting for the local receiver, and helpers that publish events and run the tasks."""
import socket

import pytest

from changemgmt import events
from changemgmt.tasks import deliver_outbox
from changemgmt.webhooks import services
from changemgmt.webhooks.tasks import send_webhooks
from tests.webhooks.receiver import Receiver

PUBLIC_HOST = "hooks.example.com"
PUBLIC_ADDRESS = "93.184.215.14"


@pytest.fixture(autouse=True)
def public_dns(monkeypatch):
    """hooks.example.com resolves to a public address, without asking a DNS server; other names resolve."""
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host == PUBLIC_HOST:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (PUBLIC_ADDRESS, port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture
def private_allowed(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_DESTINATIONS = True


@pytest.fixture
def receiver(private_allowed):
    started = Receiver().start()
    yield started
    started.stop()


def subscribe(actor, url, event_types=("*",)):
    return services.create_subscription(actor=actor, data={"url": url, "event_types": list(event_types)})


def publish(topic="change.submit", **payload):
    """An event in the outbox, handed to the fan-out as the delivery task would (after commit)."""
    events.publish(topic, **(payload or {"change_id": 42}))
    deliver_outbox()


def sweep() -> int:
    return send_webhooks()
