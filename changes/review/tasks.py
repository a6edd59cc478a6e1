"""The review follow-ups' beat job: remind what fell due (idempotent; catches up after downtime)."""
from celery import shared_task

from changes.review import services


@shared_task(name="changes.remind_review_follow_ups")
def remind_review_follow_ups() -> int:
    return services.remind_due()
