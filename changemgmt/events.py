"""Domain events: how a lower layer tells a higher one without importing it.

`publish` writes an OutboxEvent row (kept for Celery delivery: webhooks, slow work) and calls the
in-process subscribers synchronously, inside the caller's transaction, so a subscriber's writes
(e.g. "the last approval was granted, move the change to test") commit or roll back with the
action that caused them. Higher layers subscribe in their AppConfig.ready(). A delivery task is
queued only when a Celery-side handler exists for the topic (`on_delivery`): no empty work.
"""
import json
from collections import defaultdict
from collections.abc import Callable

from django.core.serializers.json import DjangoJSONEncoder

from changemgmt.tasking import enqueue

_subscribers: dict[str, list[Callable]] = defaultdict(list)
_deliverers: dict[str, list[Callable]] = defaultdict(list)


def subscribe(topic: str, handler: Callable) -> None:
    if handler not in _subscribers[topic]:
        _subscribers[topic].append(handler)


def publish(topic: str, *, actor=None, **payload) -> None:
    from changemgmt.models import OutboxEvent

    OutboxEvent.objects.create(topic=topic, payload=json.loads(json.dumps(payload, cls=DjangoJSONEncoder)))
    for handler in list(_subscribers[topic]):
        handler(actor=actor, **payload)
    if deliverers(topic):
        from changemgmt.tasks import deliver_outbox

        enqueue(deliver_outbox)


def on_delivery(topic: str, handler: Callable) -> None:
    """Register slow work (mail, webhooks) to run in Celery when an event of `topic` is delivered."""
    if handler not in _deliverers[topic]:
        _deliverers[topic].append(handler)


def deliverers(topic: str) -> list[Callable]:
    return list(_deliverers[topic]) + list(_deliverers["*"])
