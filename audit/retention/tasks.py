"""Retention's beat job: daily, purge what expired (idempotent; catches up after downtime)."""
from celery import shared_task

from audit.retention import services


@shared_task(name="audit.purge_expired_records")
def purge_expired_records() -> dict:
    return services.purge_expired()
