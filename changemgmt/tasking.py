"""Queue Celery work after the current transaction commits, without letting a broker outage break
the request: a task that cannot be queued is logged, and the periodic sweeps pick its work up by
due-time queries when the broker is back."""
import logging

from django.db import transaction

log = logging.getLogger(__name__)


def enqueue(task, *args, **kwargs) -> None:
    def send():
        try:
            task.apply_async(args=args, kwargs=kwargs, retry=False)
        except Exception:  # broker down: the sweep catches up later
            log.warning("Could not queue %s; its periodic sweep will catch up", task.name, exc_info=True)

    transaction.on_commit(send)
