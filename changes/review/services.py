"""Post-implementation review follow-ups [POLICY §4 close]: scheduled at deployment, reminded when due,
answered once.

- `schedule_follow_ups` runs inside the deploy transaction (changes.subscribers, on `change.deploy`):
  one follow-up per key of policy `pir_follow_up_hours`, due that many hours after deployment, and one
  `review.follow_ups_scheduled` ledger entry.
- `remind_due` (beat job `changes.remind_review_follow_ups`) finds due, unreminded, unanswered follow-ups
  by an indexed query, claims each with a conditional update (a second or concurrent sweep sends
  nothing twice) and tells the change's owner and requester through the one notification path.
- `answer_follow_up` records the answer (`issues_found`, notes required when there were issues) with a
  `review.follow_up_answered` ledger entry; a second answer is refused with 409.
"""
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from changemgmt import ledger, policy
from changemgmt.errors import Conflict
from changemgmt.models import NotificationKind
from changemgmt.notifications import Message, notify_many
from changes.review.choices import Checkpoint
from changes.review.models import ReviewFollowUp
from changes.review.rules import may_answer

POLICY_REF = "POLICY §4 close [001]"
BATCH = 500
MAX_NOTES = 20000


def schedule_follow_ups(*, change, actor) -> list[ReviewFollowUp]:
    """At deployment: the follow-ups the policy asks for (none twice for one change)."""
    deployed_at = change.deployed_at or timezone.now()
    hours = policy.get("pir_follow_up_hours")
    if ReviewFollowUp.objects.filter(change=change).exists():
        return []
    rows = ReviewFollowUp.objects.bulk_create([
        ReviewFollowUp(change=change, checkpoint=code, due_at=deployed_at + timedelta(hours=hours[code]))
        for code in Checkpoint.values])
    ledger.append(actor=actor, action="review.follow_ups_scheduled", subject=change, payload={
        "due": {row.checkpoint: row.due_at for row in rows}, "policy": f"{POLICY_REF} pir_follow_up_hours"})
    return rows


def due(now: datetime):
    return ReviewFollowUp.objects.filter(reminded_at__isnull=True, answered_at__isnull=True, due_at__lte=now)


def remind_due(*, now: datetime | None = None) -> int:
    """Remind the owner and requester of every follow-up due and unanswered; returns how many were sent."""
    now = now or timezone.now()
    sent = 0
    while True:
        batch = list(due(now).select_related("change").order_by("due_at", "id")[:BATCH])
        if not batch:
            return sent
        for follow_up in batch:
            with transaction.atomic():
                if not due(now).filter(pk=follow_up.pk).update(reminded_at=now):
                    continue  # another sweep took it
                change = follow_up.change
                people = {pk for pk in (change.owner_id, change.requester_id) if pk}
                notify_many([Message(pk, NotificationKind.REVIEW_FOLLOW_UP,
                                     f"{change.reference}: {follow_up.get_checkpoint_display()} due",
                                     f"“{change.title}” was deployed on {change.deployed_at:%Y-%m-%d %H:%M} UTC. "
                                     "Record whether it caused any issue since (POLICY §4 close).",
                                     f"/changes/{change.pk}/review/", follow_up.due_at) for pk in sorted(people)])
            sent += 1


def answer_follow_up(*, follow_up_id: int, actor, issues_found, notes: str = "") -> ReviewFollowUp:
    """Record the answer to one follow-up, or refuse and write nothing."""
    notes = (notes or "").strip()
    if not isinstance(issues_found, bool):
        raise ValidationError({"issues_found": "Say whether the change caused any issue (true or false)."})
    if issues_found and not notes:
        raise ValidationError({"notes": "Describe the issues the change caused."})
    if len(notes) > MAX_NOTES:
        raise ValidationError({"notes": f"At most {MAX_NOTES} characters."})
    with transaction.atomic():
        follow_up = ReviewFollowUp.objects.select_for_update().select_related("change").get(pk=follow_up_id)
        if not may_answer(actor, follow_up.change):
            raise PermissionDenied("Only the change's requester or owner, operations, a manager or an "
                                   "administrator may answer its review follow-ups.")
        if follow_up.answered_at is not None:
            raise Conflict(f"The {follow_up.get_checkpoint_display().lower()} was already answered.")
        follow_up.answered_at, follow_up.answered_by = timezone.now(), actor
        follow_up.issues_found, follow_up.notes = issues_found, notes
        follow_up.save(update_fields=["answered_at", "answered_by", "issues_found", "notes"])
        ledger.append(actor=actor, action="review.follow_up_answered", subject=follow_up.change, payload={
            "checkpoint": follow_up.checkpoint, "issues_found": issues_found, "notes": notes,
            "due_at": follow_up.due_at, "late": follow_up.answered_at > follow_up.due_at})
    return follow_up
