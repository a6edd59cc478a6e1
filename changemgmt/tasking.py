"""Queue Celery work after the current transaction commits, without letting a broker outage break
the request: a task that cannot be queued is logged, and the periodic sweeps pick its work up by
due-time queries when the broker is back.

A task is given as its object or by its registered name: a service whose task module imports it
(the task calls the service) queues the task by name, so the two modules never import each other.
"""
import logging

from celery import Task
from django.db import transaction

from changemgmt.celery import app

log = logging.getLogger(__name__)


def enqueue(task: Task | str, *args, **kwargs) -> None:
    if isinstance(task, str):
        task = app.tasks[task]  # a name no app registered (its AppConfig.ready imports its tasks) fails here

    def send():
        try:
            task.apply_async(args=args, kwargs=kwargs, retry=False)
        except Exception:  # broker down: the sweep catches up later
            log.warning("Could not queue %s; its periodic sweep will catch up", task.name, exc_info=True)

    transaction.on_commit(send)
