"""Who handles outbox events in Celery: the registry of delivery handlers (webhooks, slow work).

changemgmt.events writes an OutboxEvent row for every event and queues the delivery task only when a
handler is registered here for its topic; changemgmt.tasks.deliver_outbox runs the handlers. Both
read this registry, so neither imports the other's module back."""
from collections import defaultdict
from collections.abc import Callable

_deliverers: dict[str, list[Callable]] = defaultdict(list)


def on_delivery(topic: str, handler: Callable) -> None:
    """Register slow work (mail, webhooks) to run in Celery when an event of `topic` is delivered
    (`"*"`: every topic). `handler(event)` gets the OutboxEvent row."""
    if handler not in _deliverers[topic]:
        _deliverers[topic].append(handler)


def deliverers(topic: str) -> list[Callable]:
    return list(_deliverers[topic]) + list(_deliverers["*"])
