"""Action items and concerns: raised by members, owned, due, closed; open ones go on every agenda."""
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cab import rules
from cab.choices import ActionKind, ActionStatus
from cab.models import ActionItem, Meeting
from cab.services.common import refuse_if_published
from changemgmt import ledger
from changemgmt.errors import Conflict


def create(*, actor, title: str, kind: str = ActionKind.ACTION, owner=None, due_on: date | None = None,
           details: str = "", meeting_id: int | None = None, change_id: int | None = None) -> ActionItem:
    if rules.is_auditor(actor):
        raise PermissionDenied(rules.AUDITORS_NEVER)
    if not rules.is_board_member(actor) and not rules.can_chair(actor):
        raise PermissionDenied("Only CAB members raise action items and concerns.")
    if meeting_id is not None:
        refuse_if_published(meeting_id=meeting_id, actor=actor, attempted="add action item")
    errors = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = "Say what needs doing (or what the concern is)."
    if kind not in ActionKind.values:
        errors["kind"] = f"Must be one of {', '.join(ActionKind.values)}."
    if kind == ActionKind.ACTION and (owner is None or due_on is None):
        errors["owner"] = "An action item needs an owner and a due date."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if meeting_id is not None:
            Meeting.objects.select_for_update().get(pk=meeting_id)
        action = ActionItem.objects.create(meeting_id=meeting_id, change_id=change_id, kind=kind, title=title[:300],
                                           details=(details or "").strip(), owner=owner, due_on=due_on,
                                           created_by=actor)
        ledger.append(actor=actor, action="cab.action_created", subject=action, payload={
            "kind": kind, "title": action.title, "owner": owner.username if owner else None, "due_on": due_on,
            "meeting_id": meeting_id})
        return action


def set_status(*, action_id: int, actor, status: str) -> ActionItem:
    if status not in ActionStatus.values:
        raise ValidationError({"status": f"Must be one of {', '.join(ActionStatus.values)}."})
    with transaction.atomic():
        action = ActionItem.objects.select_for_update().get(pk=action_id)
        refusal = rules.action_status_refusal(actor, action)
        if refusal:
            raise PermissionDenied(refusal)
        if action.status == status:
            raise Conflict(f"This action item is already {action.get_status_display().lower()}.")
        before = action.status
        action.status = status
        action.closed_at = timezone.now() if status != ActionStatus.OPEN else None
        action.save(update_fields=["status", "closed_at"])
        ledger.append(actor=actor, action="cab.action_status", subject=action, payload={"from": before, "to": status})
        return action
