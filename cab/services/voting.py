"""Votes and decisions [POLICY §5].

A member has one vote per item (approve, reject or abstain, with a comment). `cast_vote` records
it and refuses a second one; `change_vote` replaces it — both only until the item is decided.
`record_decision` is the chair's: approve and reject need quorum and must follow the majority of
the voting members present (the chair breaks ties); they grant or reject the change's CAB approval
through approvals.services.decide_by_board in the same transaction. Defer leaves the approval pending and
carries the item to the next meeting.
"""
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from approvals import services as approval_services
from cab import rules
from cab.choices import OPEN_STATUSES, MeetingStatus, Outcome, VoteChoice
from cab.models import AgendaItem, Decision, Meeting, Vote
from cab.services.common import refuse_if_published, require_chair
from cab.tally import quorum, tally
from changemgmt import ledger
from changemgmt.errors import Conflict, GateRefused
from changes.models import ChangeRequest

MAX_TEXT = 5000


def _meeting_of(item_id: int) -> int:
    meeting_id = AgendaItem.objects.filter(pk=item_id).values_list("meeting_id", flat=True).first()
    if meeting_id is None:
        raise AgendaItem.DoesNotExist(f"No agenda item {item_id}")
    return meeting_id


def _voter_checked(item_id: int, actor) -> int:
    """Permission first (before the published check, before any lock): who may vote on this item.
    Returns the item's meeting id; the service re-checks under its lock."""
    item = AgendaItem.objects.select_related("change").filter(pk=item_id).first()
    if item is None:
        raise AgendaItem.DoesNotExist(f"No agenda item {item_id}")
    refusal = rules.vote_refusal(actor, item)
    if refusal:
        raise PermissionDenied(refusal)
    return item.meeting_id


def _lock_item(item_id: int) -> AgendaItem:
    """Lock the item (votes and decisions on it serialize here), with its meeting and change."""
    item = AgendaItem.objects.select_for_update().get(pk=item_id)
    item.meeting = Meeting.objects.get(pk=item.meeting_id)
    if item.change_id:
        item.change = ChangeRequest.objects.get(pk=item.change_id)
    return item


def _decided(item) -> Decision | None:
    return Decision.objects.filter(item=item).select_related("decided_by").first()


def _clean_vote(choice, comment) -> str:
    if choice not in VoteChoice.values:
        raise ValidationError({"choice": f"Must be one of {', '.join(VoteChoice.values)}."})
    comment = (comment or "").strip()
    if len(comment) > MAX_TEXT:
        raise ValidationError({"comment": f"At most {MAX_TEXT} characters."})
    return comment


def _check_vote(actor, item) -> None:
    refusal = rules.vote_refusal(actor, item)
    if refusal:
        raise PermissionDenied(refusal)
    decision = _decided(item)
    if decision is not None:
        raise Conflict(f"This item was decided ({decision.get_outcome_display().lower()}) by "
                       f"{decision.decided_by.username}; voting is closed.")
    if item.meeting.status not in OPEN_STATUSES:
        raise Conflict(f"The meeting has {item.meeting.get_status_display().lower()}; voting is closed.")


def cast_vote(*, item_id: int, actor, choice: str, comment: str = "") -> Vote:
    refuse_if_published(meeting_id=_voter_checked(item_id, actor), actor=actor, attempted="vote")
    comment = _clean_vote(choice, comment)
    try:
        with transaction.atomic():
            item = _lock_item(item_id)
            _check_vote(actor, item)
            existing = Vote.objects.filter(item=item, voter=actor).first()
            if existing is not None:
                raise Conflict(f"You have already voted “{existing.get_choice_display().lower()}” on this item; "
                               "change your vote instead of voting twice.")
            vote = Vote.objects.create(item=item, voter=actor, choice=choice, comment=comment, cast_at=timezone.now())
            ledger.append(actor=actor, action="cab.vote_cast", subject=item.meeting,
                          payload={"item_id": item.pk, "item": item.title, "choice": choice, "comment": comment})
            return vote
    except IntegrityError as exc:
        raise Conflict("You have already voted on this item; change your vote instead.") from exc


def change_vote(*, item_id: int, actor, choice: str, comment: str = "") -> Vote:
    refuse_if_published(meeting_id=_voter_checked(item_id, actor), actor=actor, attempted="change vote")
    comment = _clean_vote(choice, comment)
    with transaction.atomic():
        item = _lock_item(item_id)
        _check_vote(actor, item)
        vote = Vote.objects.select_for_update().filter(item=item, voter=actor).first()
        if vote is None:
            raise Conflict("You have not voted on this item yet.")
        before = {"choice": vote.choice, "comment": vote.comment}
        vote.choice, vote.comment, vote.changed_at = choice, comment, timezone.now()
        vote.save(update_fields=["choice", "comment", "changed_at"])
        ledger.append(actor=actor, action="cab.vote_changed", subject=item.meeting,
                      payload={"item_id": item.pk, "item": item.title, "from": before,
                               "to": {"choice": choice, "comment": comment}})
        return vote


def _slot_reason(meeting, outcome, reason, conditions) -> str:
    text = f"CAB decision at “{meeting.title}”: {Outcome(outcome).label.lower()}."
    if reason:
        text += f" {reason}"
    if conditions:
        text += f" Conditions: {conditions}"
    return text


def record_decision(*, item_id: int, actor, outcome: str, reason: str = "", conditions: str = "") -> Decision:
    """The chair records the board's decision; exactly one of two racing chairs wins (Conflict)."""
    require_chair(actor, "record decisions")
    refuse_if_published(meeting_id=_meeting_of(item_id), actor=actor, attempted="record decision")
    reason, conditions = (reason or "").strip(), (conditions or "").strip()
    errors = {}
    if outcome not in Outcome.values:
        errors["outcome"] = f"Must be one of {', '.join(Outcome.values)}."
    if outcome in (Outcome.REJECT, Outcome.DEFER) and not reason:
        errors["reason"] = "A rejection or deferral needs a reason."
    if conditions and outcome != Outcome.APPROVE:
        errors["conditions"] = "Conditions attach to an approval only."
    if len(reason) > MAX_TEXT or len(conditions) > MAX_TEXT:
        errors["reason"] = f"At most {MAX_TEXT} characters."
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            item = _lock_item(item_id)
            meeting = item.meeting
            if not item.needs_decision:
                raise Conflict("This agenda item is for information; it takes no decision.")
            existing = _decided(item)
            if existing is not None:
                raise Conflict(f"This item was already decided ({existing.get_outcome_display().lower()}) by "
                               f"{existing.decided_by.username}.")
            if meeting.status != MeetingStatus.IN_PROGRESS:
                raise Conflict("Decisions are recorded during the meeting: start it first." if
                               meeting.status == MeetingStatus.SCHEDULED else "The meeting has ended.")
            attendance = list(meeting.attendance.all())
            present = {row.user_id for row in attendance if row.present}
            present_quorum = quorum(attendance)
            votes = [v for v in item.votes.all() if not rules.is_recused_id(v.voter_id, item.change)]
            counted = tally(votes, present, attendance_taken=True)
            if outcome != Outcome.DEFER:
                if not present_quorum.met:
                    raise GateRefused("decide", present_quorum.missing)
                if counted.majority and counted.majority != outcome:
                    raise ValidationError({"outcome": f"The votes of the members present are {counted.approve} "
                                           f"approve, {counted.reject} reject: the decision must be "
                                           f"{Outcome(counted.majority).label.lower()} (or deferred)."})
            decision = Decision.objects.create(
                item=item, outcome=outcome, reason=reason, conditions=conditions, decided_by=actor,
                decided_at=timezone.now(),
                tally={**counted.as_dict(), "tie_broken_by_chair": outcome != Outcome.DEFER and not counted.majority,
                       "quorum": present_quorum.as_dict()})
            if outcome != Outcome.DEFER:
                approval_services.decide_by_board(decision=decision,
                                                  verdict="grant" if outcome == Outcome.APPROVE else "reject",
                                                  reason=_slot_reason(meeting, outcome, reason, conditions))
            else:
                _carry_over(item, actor)
            ledger.append(actor=actor, action="cab.decided", subject=meeting, payload={
                "item_id": item.pk, "item": item.title, "change_id": item.change_id, "outcome": outcome,
                "reason": reason, "conditions": conditions, "tally": decision.tally})
            return decision
    except IntegrityError as exc:
        raise Conflict("This item was decided by someone else at the same moment.") from exc


def _carry_over(item, actor) -> None:
    """Put a deferred item on the next meeting whose agenda is already generated (a later
    generation picks it up from live data anyway: its CAB approval is still pending)."""
    from cab.services.agenda import add_item

    following = (Meeting.objects.filter(starts_at__gt=item.meeting.starts_at, status=MeetingStatus.SCHEDULED,
                                        agenda_generated_at__isnull=False)
                 .exclude(items__slot_id=item.slot_id).order_by("starts_at").first())
    if following is not None:
        add_item(meeting_id=following.pk, actor=actor, change_id=item.change_id,
                 note=f"Deferred from “{item.meeting.title}”.")
