"""Retention of CAB minutes [POLICY §9]: kept `retention_years.cab_minutes` years, then purged.

Purging blanks the Markdown record and the chair's notes and stamps `purged_at`; the row stays as a
tombstone (meeting, publication time, retention date, SHA-256 of the purged text) so pages and the
API say the minutes existed and were purged rather than offering a fresh draft, and the ledger —
never purged — gets one `cab.minutes_purged` entry per record in the same transaction. Until the
day after `retain_until`, published minutes stay untouched and every edit is refused as before.
"""
from datetime import date

from django.db import transaction
from django.utils import timezone

from cab.models import Minutes
from changemgmt import ledger

BATCH = 200


def expired(today: date):
    return Minutes.objects.filter(published_at__isnull=False, purged_at__isnull=True, retain_until__lt=today)


def purge_expired_minutes(*, today: date | None = None) -> int:
    """Purge every published record whose retention ran out before `today` (organisation date).
    Idempotent: each row is locked and re-checked, so a second run or a racing worker purges nothing."""
    today = today or timezone.localdate()
    purged = 0
    while True:
        ids = list(expired(today).order_by("retain_until", "id").values_list("pk", flat=True)[:BATCH])
        if not ids:
            return purged
        for pk in ids:
            with transaction.atomic():
                minutes = expired(today).select_for_update().select_related("meeting").filter(pk=pk).first()
                if minutes is None:
                    continue
                minutes.body, minutes.notes, minutes.purged_at = "", "", timezone.now()
                minutes.save(update_fields=["body", "notes", "purged_at"])
                ledger.append(actor=None, action="cab.minutes_purged", subject=minutes.meeting, payload={
                    "meeting": minutes.meeting.title, "published_at": minutes.published_at,
                    "retain_until": minutes.retain_until, "sha256": minutes.body_sha256,
                    "policy": "POLICY §9 retention_years.cab_minutes"})
                purged += 1
