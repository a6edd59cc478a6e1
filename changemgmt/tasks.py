"""Kernel Celery tasks: delivering the outbox (changemgmt.events writes it, changemgmt.outbox
registers its handlers: the webhooks' fan-out, for every topic)."""
import logging

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from changemgmt.api import tasks as api_tasks  # noqa: F401  (registers changemgmt.purge_idempotency_keys)
from changemgmt.ledger.tasks import sign_tree_head  # noqa: F401  (registers the beat job's task)
from changemgmt.models import OutboxEvent
from changemgmt.outbox import deliverers
from changemgmt.webhooks import tasks as webhook_tasks  # noqa: F401  (registers changemgmt.send_webhooks)

log = logging.getLogger(__name__)
BATCH = 200


@shared_task(name="changemgmt.deliver_outbox")
def deliver_outbox() -> int:
    """Deliver undelivered outbox events to their Celery-side handlers (also the beat job's sweep).
    Events of topics nobody handles are stamped delivered a batch per query. Idempotent: each
    event is claimed under a row lock (skipped by a concurrent sweep) and marked delivered in the
    same transaction, so a sweep that runs twice delivers each event once."""
    delivered = 0
    while True:
        with transaction.atomic():
            batch = list(
                OutboxEvent.objects.select_for_update(skip_locked=True)
                .filter(delivered_at__isnull=True)
                .order_by("id")[:BATCH]
            )
            if not batch:
                return delivered
            now = timezone.now()
            idle = {event.pk for event in batch if not deliverers(event.topic)}
            OutboxEvent.objects.filter(pk__in=idle).update(delivered_at=now)
            for event in batch:
                if event.pk not in idle:
                    _deliver(event)
            delivered += len(batch)


def _deliver(event: OutboxEvent) -> None:
    try:
        with transaction.atomic():
            for handler in deliverers(event.topic):
                handler(event)
            event.delivered_at = timezone.now()
    except Exception as exc:
        log.exception("Delivering outbox event %s failed", event.pk)
        event.attempts += 1
        event.last_error = repr(exc)[:2000]
        if event.attempts >= 10:
            event.delivered_at = timezone.now()
    event.save(update_fields=["delivered_at", "attempts", "last_error"])
