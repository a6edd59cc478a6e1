"""The 24-hour post-hoc paperwork of an emergency change [POLICY §7].

From deployment a clock (policy `emergency_paperwork_hours`) runs until three things hold:
documentation complete (the submit gate's fields, changes.gates.submit_gate), formal approval by the matrix
(the change's approval slots, created at deployment from its risk if it has none yet — decided after
the fact), and a root-cause analysis. Reminders go to the author and owner at the policy's
`emergency_reminder_hours`; at the deadline the paperwork escalates to their managers and the CTO.
Each step is written once (EmergencyStep is unique per review and step), by the same kind of
skip-locked sweep as the approval SLAs, so a missed sweep catches up and a double run sends nothing
twice. High and critical emergency changes are flagged (`cab_review`) for the next CAB agenda.
"""
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from approvals import services as approval_services
from approvals.choices import SlotStatus
from approvals.sla import change_path
from changemgmt import clock, ledger, policy
from changemgmt.errors import Conflict
from changemgmt.models import NotificationKind, User
from changemgmt.notifications import Message, notify_many
from changemgmt.roles import Role
from changes import gates
from changes.emergency.models import EmergencyReview, EmergencyStep
from changes.emergency.rules import EMERGENCY, may_record_root_cause
from changes.models import ChangeRequest

POLICY_REF = "POLICY §7 [002 §6]"
ESCALATE = "escalate"
BATCH = 500
MAX_ROOT_CAUSE = 20000


def documentation_missing(change) -> list[str]:
    """The submit gate's missing fields (and emergency criterion): the documentation still to write."""
    return [m.message for m in gates.submit_gate(change, {}, change.submitted_at or change.created_at)
            if m.code.startswith("field_") or m.code == "emergency_criterion"]


def _approvals_complete(change) -> bool:
    statuses = [s for s in change.approval_slots.exclude(status=SlotStatus.SUPERSEDED).values_list("status",
                                                                                                   flat=True)]
    return bool(statuses) and all(status == SlotStatus.GRANTED for status in statuses)


def plan(review) -> list[tuple[str, datetime]]:
    """Reminder and escalation steps of one review, in the order they fall due."""
    hours = policy.get("emergency_paperwork_hours")
    steps = [(f"remind_{int(h)}h", review.deployed_at + timedelta(hours=h))
             for h in policy.get("emergency_reminder_hours") if 0 < h < hours]
    steps.append((ESCALATE, review.due_at))
    return sorted(steps, key=lambda step: step[1])


def _next(steps, done: set[str]):
    return next(((name, at) for name, at in steps if name not in done), (None, None))


def _refresh_flags(review, change, *, actor) -> None:
    """Recompute the three items; close the review (ledger entry) when all hold."""
    review.documentation_missing = documentation_missing(change)
    review.documentation_complete = not review.documentation_missing
    review.approvals_complete = _approvals_complete(change)
    review.cab_review = change.risk_level in policy.get("cab")["review_risks"]
    if review.completed_at is None and review.documentation_complete and review.approvals_complete \
            and review.root_cause_recorded:
        review.completed_at = timezone.now()
        review.next_step, review.next_step_at = "", None
        ledger.append(actor=actor, action="emergency.paperwork_complete", subject=change, payload={
            "due_at": review.due_at, "late": review.completed_at > review.due_at})


def _create_posthoc_slots(change, actor) -> bool:
    """The formal approvals by the matrix, decided after the fact: created once the change has a risk
    level and no live slots. Returns whether any were created."""
    if change.risk_level and not change.approval_slots.exclude(status=SlotStatus.SUPERSEDED).exists():
        return bool(approval_services.sync_slots(change=change, actor=actor, extra=change.extra_approvals()))
    return False


def start_review(*, change, actor, now: datetime | None = None) -> EmergencyReview | None:
    """At deployment of an emergency change: open its paperwork clock and create its post-hoc approval
    slots from its risk (when scored and none exist yet). Runs inside the deploy transaction."""
    if change.change_type != EMERGENCY:
        return None
    now = now or timezone.now()
    deployed_at = change.deployed_at or now
    review, created = EmergencyReview.objects.get_or_create(change=change, defaults={
        "deployed_at": deployed_at,
        "due_at": deployed_at + timedelta(hours=policy.get("emergency_paperwork_hours"))})
    if not created:
        return review
    _create_posthoc_slots(change, actor)
    review.next_step, review.next_step_at = _next(plan(review), set())
    _refresh_flags(review, change, actor=actor)
    review.save()
    ledger.append(actor=actor, action="emergency.paperwork_opened", subject=change, payload={
        "due_at": review.due_at, "cab_review": review.cab_review,
        "documentation_missing": review.documentation_missing})
    return review


def refresh(*, change_id, actor) -> EmergencyReview | None:
    """Re-check an open review after something it depends on changed (a decision, an edit)."""
    with transaction.atomic():
        review = EmergencyReview.objects.select_for_update().filter(change_id=change_id).first()
        if review is None or review.completed_at is not None:
            return review
        change = ChangeRequest.objects.get(pk=change_id)
        _refresh_flags(review, change, actor=actor)
        review.save()
        return review


def risk_scored(*, change_id, actor) -> EmergencyReview | None:
    """An emergency change deployed before its risk was scored just got scored: create its post-hoc
    approval slots now (if its paperwork is open and it has none), inside the scoring transaction."""
    review = EmergencyReview.objects.select_for_update().filter(change_id=change_id, completed_at__isnull=True).first()
    if review is None:
        return None
    change = ChangeRequest.objects.get(pk=change_id)
    if _create_posthoc_slots(change, actor):
        _refresh_flags(review, change, actor=actor)
        review.save()
    return review


def record_root_cause(*, change_id, actor, text: str) -> EmergencyReview:
    """The root-cause analysis of an emergency change (replaces an earlier draft until complete)."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"root_cause": "Describe the root cause."})
    if len(text) > MAX_ROOT_CAUSE:
        raise ValidationError({"root_cause": f"At most {MAX_ROOT_CAUSE} characters."})
    with transaction.atomic():
        change = ChangeRequest.objects.select_for_update().get(pk=change_id)
        if not may_record_root_cause(actor, change):
            raise PermissionDenied("Only the author or owner, operations or management may record the root cause.")
        review = EmergencyReview.objects.select_for_update().filter(change=change).first()
        if review is None:
            raise Conflict("This change has no emergency paperwork: it is not a deployed emergency change.")
        if review.completed_at is not None:
            raise Conflict("The emergency paperwork of this change is already complete.")
        review.root_cause, review.root_cause_by, review.root_cause_at = text, actor, timezone.now()
        _refresh_flags(review, change, actor=actor)
        review.save()
        ledger.append(actor=actor, action="emergency.root_cause", subject=change, payload={"root_cause": text})
        return review


def sweep(now: datetime | None = None) -> int:
    """Send every paperwork reminder and escalation that is due; returns how many steps were sent."""
    sent = 0
    while True:
        count, more = _sweep_batch(now or timezone.now())
        sent += count
        if not more:
            return sent


def _recipients(reviews) -> tuple[dict, set[int], dict[int, str]]:
    """People to tell, in two queries: {user id: manager id} of authors/owners, CTO ids, usernames."""
    people = {uid for r in reviews for uid in (r.change.requester_id, r.change.owner_id) if uid}
    managers = dict(User.objects.filter(pk__in=people).values_list("id", "manager_id"))
    leaders = set(User.objects.filter(is_active=True, groups__name=Role.CTO).values_list("id", flat=True))
    if not leaders:
        leaders = set(User.objects.filter(is_active=True, groups__name=Role.MANAGER).values_list("id", flat=True))
    ids = people | {m for m in managers.values() if m} | leaders
    names = dict(User.objects.filter(pk__in=ids).values_list("id", "username"))
    return managers, leaders, names


def _message(review, name: str, recipients, now) -> list[Message]:
    change = review.change
    missing = []
    if not review.documentation_complete:
        missing.append("documentation")
    if not review.approvals_complete:
        missing.append("post-hoc approval")
    if not review.root_cause_recorded:
        missing.append("root-cause analysis")
    if name == ESCALATE:
        kind, title = NotificationKind.EMERGENCY_ESCALATION, f"{change.reference}: emergency paperwork overdue"
    else:
        kind = NotificationKind.EMERGENCY_REMINDER
        title = f"{change.reference}: emergency paperwork {clock.describe_due(review.due_at, now)}"
    body = f"{change.title}\nStill missing: {', '.join(missing) or 'nothing'} ({POLICY_REF})."
    return [Message(uid, kind, title, body, change_path(change.pk), review.due_at) for uid in sorted(recipients)]


def _latest_reminder(due: list[tuple[str, datetime]]) -> str | None:
    """Of the reminders due at once (a sweep catching up after the worker was down), the one to send."""
    return next((name for name, _at in reversed(due) if name != ESCALATE), None)


def _sweep_batch(now: datetime) -> tuple[int, bool]:
    try:
        with transaction.atomic():
            reviews = list(EmergencyReview.objects.select_for_update(skip_locked=True, of=("self",))
                           .filter(completed_at__isnull=True, next_step_at__isnull=False, next_step_at__lte=now)
                           .select_related("change").order_by("next_step_at")[:BATCH])
            if not reviews:
                return 0, False
            done: dict[int, set[str]] = {}
            for review_id, step in EmergencyStep.objects.filter(review__in=reviews).values_list("review_id", "step"):
                done.setdefault(review_id, set()).add(step)
            managers, leaders, names = _recipients(reviews)
            steps, messages = [], []
            for review in reviews:
                review_done = done.setdefault(review.pk, set())
                schedule = plan(review)
                authors = {review.change.requester_id, review.change.owner_id} - {None}
                due = [(name, at) for name, at in schedule if name not in review_done and at <= now]
                for name, at in due:
                    if name == ESCALATE:
                        recipients = ({managers.get(uid) for uid in authors} - {None}) | leaders
                    elif name == _latest_reminder(due):
                        recipients = authors
                    else:  # caught up after an outage: a later reminder says it all, so nobody gets this one
                        recipients = set()
                    if recipients:
                        messages += _message(review, name, recipients, now)
                    steps.append(EmergencyStep(review=review, step=name, scheduled_at=at, sent_at=now,
                                               recipients=[names.get(uid, str(uid)) for uid in sorted(recipients)]))
                    review_done.add(name)
                review.next_step, review.next_step_at = _next(schedule, review_done)
                review.next_step = review.next_step or ""
            EmergencyStep.objects.bulk_create(steps)
            notify_many(messages)
            EmergencyReview.objects.bulk_update(reviews, ["next_step", "next_step_at"])
            return len(steps), len(reviews) == BATCH
    except IntegrityError:
        # A concurrent sweep sent one of these steps first; the next run sends only what is left.
        return 0, False

