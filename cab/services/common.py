"""Shared guards of the CAB services."""
from django.core.exceptions import PermissionDenied
from django.db import transaction

from cab import rules
from cab.choices import MeetingStatus
from cab.models import Meeting
from changemgmt import ledger
from changemgmt.errors import Conflict

PUBLISHED = "The minutes of this meeting are published and can no longer be changed."


def refuse_if_published(*, meeting_id: int, actor, attempted: str) -> None:
    """Refuse any change to a meeting whose minutes are published, keeping a ledger record of the
    attempt (its own transaction, so the refusal does not roll it back). Call before the service's
    transaction; the service re-checks under its lock."""
    status = Meeting.objects.filter(pk=meeting_id).values_list("status", flat=True).first()
    if status == MeetingStatus.PUBLISHED:
        with transaction.atomic():
            ledger.append(actor=actor, action="cab.published_edit_refused", subject=f"cab.meeting:{meeting_id}",
                          payload={"attempted": attempted})
        raise Conflict(PUBLISHED)


def lock_meeting(meeting_id: int) -> Meeting:
    meeting = Meeting.objects.select_for_update().get(pk=meeting_id)
    if meeting.status == MeetingStatus.PUBLISHED:
        raise Conflict(PUBLISHED)
    return meeting


def require_chair(actor, what: str) -> None:
    if not rules.can_chair(actor):
        raise PermissionDenied(f"Only the CAB chair or a chair deputy may {what}.")
