"""Minutes: the chair's notes before publication, and publication, which freezes them.

Publication renders the Markdown record once (attendance, votes, decisions, action items and
notes), stores it with its SHA-256, sets the retention date from policy and queues distribution
to every board member. From then on every CAB service refuses to touch the meeting and logs the
attempt in the ledger.
"""
import hashlib
from datetime import date

from django.db import transaction
from django.utils import timezone

from cab.choices import MeetingStatus
from cab.markdown import minutes_markdown
from cab.models import Minutes
from cab.selectors import meeting_detail_queryset
from cab.services.common import lock_meeting, refuse_if_published, require_chair
from changemgmt import ledger, policy
from changemgmt.errors import Conflict
from changemgmt.tasking import enqueue


def update_notes(*, meeting_id: int, actor, notes: str) -> Minutes:
    require_chair(actor, "edit the minutes")
    refuse_if_published(meeting_id=meeting_id, actor=actor, attempted="edit minutes notes")
    with transaction.atomic():
        meeting = lock_meeting(meeting_id)
        minutes, _ = Minutes.objects.select_for_update().get_or_create(meeting=meeting)
        if minutes.published_at is not None:
            raise Conflict("The minutes of this meeting are published and can no longer be changed.")
        before = minutes.notes
        minutes.notes = (notes or "").strip()
        minutes.save(update_fields=["notes"])
        ledger.append(actor=actor, action="cab.minutes_notes_edited", subject=meeting,
                      payload={"before": before, "after": minutes.notes})
        return minutes


def _retain_until(published) -> date:
    years = policy.get("retention_years")["cab_minutes"]
    day = timezone.localtime(published).date()
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def publish(*, meeting_id: int, actor) -> Minutes:
    require_chair(actor, "publish the minutes")
    refuse_if_published(meeting_id=meeting_id, actor=actor, attempted="publish minutes again")
    with transaction.atomic():
        meeting = lock_meeting(meeting_id)
        if meeting.status != MeetingStatus.ENDED:
            raise Conflict("End the meeting before publishing its minutes.")
        minutes, _ = Minutes.objects.select_for_update().get_or_create(meeting=meeting)
        full = meeting_detail_queryset().get(pk=meeting.pk)
        now = timezone.now()
        minutes.body = minutes_markdown(full, notes=minutes.notes)
        minutes.body_sha256 = hashlib.sha256(minutes.body.encode()).hexdigest()
        minutes.published_at = now
        minutes.published_by = actor
        minutes.retain_until = _retain_until(now)
        minutes.save()
        meeting.status = MeetingStatus.PUBLISHED
        meeting.save(update_fields=["status"])
        ledger.append(actor=actor, action="cab.minutes_published", subject=meeting, payload={
            "sha256": minutes.body_sha256, "retain_until": minutes.retain_until})
        enqueue("cab.send_minutes", meeting.pk)
        return minutes
