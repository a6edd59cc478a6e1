"""Shared guards of the CAB services.

Every service checks permission first, then whether the minutes are published, then takes its locks:
a refused request writes nothing — no row and no ledger entry, whoever asked. Refused attempts on
published minutes are logged (logger "cab.refused"), not put in the ledger.
"""
import logging

from django.core.exceptions import PermissionDenied

from cab import rules
from cab.choices import MeetingStatus
from cab.models import Meeting
from changemgmt.errors import Conflict

log = logging.getLogger("cab.refused")

PUBLISHED = "The minutes of this meeting are published and can no longer be changed."


def refuse_if_published(*, meeting_id: int, actor, attempted: str) -> None:
    """Refuse any change to a meeting whose minutes are published, and log the attempt (never the
    ledger: a refusal writes nothing). Call after the permission check, before the service's
    transaction; the service re-checks under its lock."""
    status = Meeting.objects.filter(pk=meeting_id).values_list("status", flat=True).first()
    if status == MeetingStatus.PUBLISHED:
        log.warning("Refused %s on the published meeting %s by %s", attempted, meeting_id,
                    getattr(actor, "username", actor))
        raise Conflict(PUBLISHED)


def lock_meeting(meeting_id: int) -> Meeting:
    meeting = Meeting.objects.select_for_update().get(pk=meeting_id)
    if meeting.status == MeetingStatus.PUBLISHED:
        raise Conflict(PUBLISHED)
    return meeting


def require_chair(actor, what: str) -> None:
    if not rules.can_chair(actor):
        raise PermissionDenied(f"Only the CAB chair or a chair deputy may {what}.")
