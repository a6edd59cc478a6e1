"""Grant several approvals with one reason ("Grant selected" on My approvals, and its API): each slot
goes through `approvals.services.decide` on its own — locked, checked (separation of duties, CAB slots,
state) and recorded alone — so a refusal writes nothing for its slot and neither stops nor undoes the
others. No rule lives here: the outcome only says which slot was granted and why another was not."""
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError

from approvals import services
from approvals.models import ApprovalSlot
from changemgmt.errors import Conflict
from changemgmt.refusals import describe


@dataclass
class GrantItem:
    slot_id: int
    label: str  # "CHG-000042 Peer review": the change and the role, as My approvals names them
    reason: str = ""  # why it was refused; empty when granted


@dataclass
class GrantOutcome:
    granted: list[GrantItem] = field(default_factory=list)
    refused: list[GrantItem] = field(default_factory=list)


def grant_selected(*, actor, slot_ids: list[int], reason: str, channel: str = "") -> GrantOutcome:
    """Grant each of `slot_ids` (in the order given) with `reason`, which is required: one reason is
    recorded on each. Raises ValidationError, writing nothing, without a selection or a reason."""
    reason = (reason or "").strip()
    errors = {**({"slots": ["Select at least one approval."]} if not slot_ids else {}),
              **({"reason": ["Give the reason (one reason is recorded on each)."]} if not reason else {})}
    if errors:
        raise ValidationError(errors)
    labels = {slot.pk: f"{slot.change.reference} {slot.get_role_display()}"
              for slot in ApprovalSlot.objects.filter(pk__in=slot_ids).select_related("change").only(
                  "id", "role", "change__id")}
    outcome = GrantOutcome()
    for slot_id in slot_ids:
        label = labels.get(slot_id, f"approval {slot_id}")
        if slot_id not in labels:
            outcome.refused.append(GrantItem(slot_id, label, "No such approval."))
            continue
        try:
            services.decide(slot_id=slot_id, actor=actor, verdict="grant", reason=reason, channel=channel)
        except (ValidationError, PermissionDenied, Conflict) as refusal:
            outcome.refused.append(GrantItem(slot_id, label, describe(refusal)))
        else:
            outcome.granted.append(GrantItem(slot_id, label))
    return outcome
