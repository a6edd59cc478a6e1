"""The API's periodic job: forgetting expired idempotency keys (changemgmt.api.idempotency)."""
from celery import shared_task
from django.utils import timezone

from changemgmt.models import IdempotencyKey

BATCH = 1000


@shared_task(name="changemgmt.purge_idempotency_keys")
def purge_idempotency_keys() -> int:
    """Delete the keys past their expiry, in batches, by the expiry index. Idempotent: a second run,
    or two at once, find nothing more to delete. Returns how many were deleted."""
    now = timezone.now()
    purged = 0
    while True:
        batch = list(IdempotencyKey.objects.filter(expires_at__lte=now).order_by("expires_at")
                     .values_list("pk", flat=True)[:BATCH])
        if not batch:
            return purged
        purged += IdempotencyKey.objects.filter(pk__in=batch).delete()[0]
