"""Scoring a change's risk: the scorecard, a reviewer's raise and its withdrawal, and the return to
request when the new level breaks the plan [POLICY §1, §2, §4]."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from approvals import services as approval_services
from changemgmt import events, ledger
from changemgmt.errors import Missing
from changemgmt.models import NotificationKind
from changemgmt.notifications import Message, notify_many
from changes import gates, rules
from changes.choices import RISK_ORDER, ChangeType, State
from changes.forms import RiskForm
from changes.models import ChangeRequest
from changes.risk import FACTORS, band, final_level
from changes.services.common import _lock, _validated

# Where a raised risk level may send a change back to request: past assessment, before deployment. In
# assessment the assess gate itself re-checks lead time and window at the final level.
RETURNABLE_STATES = rules.SCOPE_STATES
RETURNED_NOTIFICATION = NotificationKind.RETURNED_TO_REQUEST


def score_risk(*, change_id, actor, data) -> ChangeRequest:
    """Fill the scorecard and optionally raise (never lower) the level with a justification. A raise
    stands, whoever re-scores, until the person who raised it or a higher role withdraws it with a
    reason (`withdraw_raise`, rules.can_withdraw_raise) [POLICY §2: a reviewer may raise, never lower].
    A new level whose lead time from submission or window the plan misses sends a change past
    assessment back to request (`_return_to_request`), with the reason in `change.notices`."""
    with transaction.atomic():
        change = _lock(change_id)
        if not rules.can_score_risk(actor, change):
            raise PermissionDenied("You may not score the risk of this change now.")
        cleaned = _validated(RiskForm, data).cleaned_data
        scores = {key: cleaned[key] for key in FACTORS}
        computed = band(scores)
        override = cleaned.get("override") or ""
        if override and not rules.can_override_risk(actor, change):
            raise PermissionDenied("Only a reviewer may raise the risk level.")
        if override and final_level(computed, override) != override:
            raise ValidationError({"override": f"The level may only be raised above the computed {computed}."})
        standing, raiser = change.risk_override, change.risk_override_by
        raised_by = f" by {raiser.username}" if raiser else ""
        withdrawn = None
        if cleaned.get("withdraw_raise"):
            if not standing:
                raise ValidationError({"withdraw_raise": "The level is not raised: there is nothing to withdraw."})
            if not rules.can_withdraw_raise(actor, change):
                raise PermissionDenied(f"The level was raised to {standing}{raised_by}: only they or a higher role "
                                       "may withdraw the raise.")
            withdrawn = {"level": standing, "raised_by": raiser.username if raiser else None,
                         "reason": cleaned["withdraw_reason"].strip()}
            override, by, justification = "", None, ""
        elif override and standing and RISK_ORDER[override] < RISK_ORDER[standing]:
            raise ValidationError({"override": f"The level stands raised to {standing}{raised_by}; it may not be "
                                               "lowered, only withdrawn by them or a higher role."})
        elif override and override != standing:
            by, justification = actor, cleaned.get("override_reason", "")
        else:  # no new raise: a standing one stands, with its author and justification
            override, by, justification = standing, raiser, change.risk_override_reason
        previous_level = change.risk_level
        new_level = final_level(computed, override)
        if change.state == State.APPROVAL and previous_level and RISK_ORDER[new_level] < RISK_ORDER[previous_level]:
            raise ValidationError({"override": "Once in approval the risk level may only be raised."})
        for key, (field_name, _label, _levels) in FACTORS.items():
            setattr(change, field_name, scores[key])
        change.risk_computed = computed
        change.risk_override = override
        change.risk_override_reason = justification if override else ""
        change.risk_override_by = by if override else None
        change.risk_level = new_level
        change.save()
        ledger.append(actor=actor, action="change.risk_scored", subject=change, payload={
            "scores": scores, "computed": computed, "override": override,
            "justification": change.risk_override_reason, "final": change.risk_level,
            "raised_by": change.risk_override_by.username if change.risk_override_by else None,
            **({"withdrawn": withdrawn} if withdrawn else {}),
        })
        breached = _breached_by_new_level(change, previous_level)
        change.notices = [_return_to_request(change, actor, breached)] if breached else []
        if change.state == State.APPROVAL and change.risk_level != previous_level:
            approval_services.sync_slots(change=change, actor=actor, extra=change.extra_approvals())
        events.publish("change.risk_scored", actor=actor, change_id=change.pk)
        return change


def _breached_by_new_level(change, previous_level) -> list[Missing]:
    """The submit gate's risk-dependent items (lead time from submission, window) that fail at the
    change's new level and held at the previous one, for a non-emergency change past assessment that
    has not deployed. An emergency change keeps its own lead-time rules [POLICY §7]."""
    if (change.state not in RETURNABLE_STATES or change.change_type == ChangeType.EMERGENCY
            or change.risk_level == previous_level):
        return []
    held = {item.code for item in gates.risk_schedule_items(change, previous_level or "low")}
    return [item for item in gates.risk_schedule_items(change, change.risk_level) if item.code not in held]


def _return_to_request(change, actor, breached: list[Missing]) -> str:
    """Send a change whose plan its new risk level breaks back to request [POLICY §1, §4]: its approvals
    are superseded (it is assessed and approved afresh), the submission is undone, the ledger says why
    and the owner and requester are told. Re-submitting a later plan re-runs every check."""
    before = change.state
    change.return_to_request()
    change.submitted_at = change.approved_at = None
    change.save()
    why = f"its risk level is now {change.risk_level}: " + " ".join(item.message for item in breached)
    approval_services.supersede_live(change=change, actor=actor, why=f"change returned to request ({before})")
    ledger.append(actor=actor, action="change.returned_to_request", subject=change, payload={
        "from": before, "to": change.state, "risk_level": change.risk_level,
        "missing": [{"code": item.code, "message": item.message, "policy": item.policy} for item in breached]})
    events.publish("change.returned_to_request", actor=actor, change_id=change.pk, from_state=before)
    notice = f"{change.reference} is back in request because {why} Re-plan it and submit it again."
    notify_many([Message(user_id, RETURNED_NOTIFICATION, f"{change.reference} is back in request",
                         f"“{change.title}”: {notice}", f"/changes/{change.pk}/")
                 for user_id in sorted({change.owner_id, change.requester_id} - {None})])
    return notice
