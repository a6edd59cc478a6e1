"""Reads of the review follow-ups, one query each."""
from changes.review.models import ReviewFollowUp


def follow_ups_of(change_id: int) -> list[ReviewFollowUp]:
    return list(ReviewFollowUp.objects.filter(change_id=change_id).select_related("answered_by")
                .order_by("due_at", "id"))
