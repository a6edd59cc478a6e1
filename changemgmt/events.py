"""Domain events: a record of what happened, and how a lower layer tells a higher one without
importing it.

`publish` does two things, in the caller's transaction:

1. It writes an OutboxEvent row: the queue of webhooks and other slow work. The delivery task
   (changemgmt.tasks.deliver_outbox) is queued, after commit, when a Celery-side handler is
   registered for the topic (changemgmt.outbox.on_delivery): the webhooks' fan-out is, for every
   topic, so every event is handed to it (the beat sweep catches up on what a lost task left).
2. It calls the topic's synchronous subscribers, in the order they subscribed, inside the caller's
   transaction: their writes (e.g. "the last approval was granted, move the change to testing")
   commit or roll back with the action that caused them, and their refusals refuse it. This is a
   plain nested call, made through a signal only where the caller's layer may not import the
   callee's. Each layer subscribes in ONE module, its `subscribers.py`, called from its
   AppConfig.ready(): today only changes/subscribers.py, where every reaction can be read. A layer
   never subscribes to its own events to call itself: it calls the function.
"""
import json
from collections import defaultdict
from collections.abc import Callable

from django.core.serializers.json import DjangoJSONEncoder

from changemgmt.models import OutboxEvent
from changemgmt.outbox import deliverers
from changemgmt.tasking import enqueue
from changemgmt.tasks import deliver_outbox

_subscribers: dict[str, list[Callable]] = defaultdict(list)


def subscribe(topic: str, handler: Callable) -> None:
    """Call `handler(actor=..., **payload)` synchronously on every event of `topic`."""
    if handler not in _subscribers[topic]:
        _subscribers[topic].append(handler)


def publish(topic: str, *, actor=None, **payload) -> None:
    OutboxEvent.objects.create(topic=topic, payload=json.loads(json.dumps(payload, cls=DjangoJSONEncoder)))
    for handler in list(_subscribers[topic]):
        handler(actor=actor, **payload)
    if deliverers(topic):
        enqueue(deliver_outbox)
