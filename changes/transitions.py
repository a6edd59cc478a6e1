"""The transition registry: for each step of the conveyor belt, its input form, gate and effect.

changes.services.run_transition is the only caller; the API and pages list TRANSITIONS to show each
step with its missing items.
"""
from collections.abc import Callable
from dataclasses import dataclass

from django import forms

from approvals import services as approval_services
from changes import forms as change_forms
from changes import gates
from changes.choices import ChangeType
from changes.rollback_services import record_rollback


@dataclass(frozen=True)
class TransitionSpec:
    name: str
    label: str
    form: type[forms.Form]
    gate: Callable
    effect: Callable  # (change, cleaned, actor, now) -> None, called after the FSM method
    timestamp: str | None = None  # the field stamped with the time of the transition
    danger: bool = False
    extra_keys: Callable[[], set[str]] = lambda: set()


def _assign(*fields):
    def effect(change, cleaned, actor, now):
        for field in fields:
            if field in cleaned:
                setattr(change, field, cleaned[field])
    return effect


def _after_assess(change, cleaned, actor, now):
    if change.change_type != ChangeType.STANDARD:
        approval_services.sync_slots(change=change, actor=actor, extra=change.extra_approvals())


def _after_reason(change, cleaned, actor, now):
    change.closing_reason = cleaned.get("reason", "")
    approval_services.supersede_pending(change=change, actor=actor, why=f"change {change.state}")


def _after_deploy(change, cleaned, actor, now):
    """Record the checklist and method; a justification typed at deployment replaces the plan's, an
    empty one leaves it (the deploy gate reads whichever is given)."""
    _assign("predeploy_checklist", "deployment_method")(change, cleaned, actor, now)
    if (cleaned.get("freeze_justification") or "").strip():
        change.freeze_justification = cleaned["freeze_justification"]


def _nothing(change, cleaned, actor, now):
    pass


TRANSITIONS: dict[str, TransitionSpec] = {spec.name: spec for spec in [
    TransitionSpec("submit", "Submit for assessment", change_forms.NoInputForm, gates.submit_gate, _nothing,
                   "submitted_at"),
    TransitionSpec("assess", "Complete assessment", change_forms.NoInputForm, gates.assess_gate, _after_assess),
    TransitionSpec("approve", "Mark approved", change_forms.NoInputForm, gates.approve_gate, _nothing, "approved_at"),
    TransitionSpec("test", "Testing complete", change_forms.NoInputForm, gates.testing_complete_gate,
                   _nothing),
    TransitionSpec("deploy", "Record deployment", change_forms.DeployForm, gates.deploy_gate,
                   _after_deploy, "deployed_at"),
    TransitionSpec("verify", "Verified in production", change_forms.VerifyForm, gates.verify_gate,
                   _assign("verification_checks"), "verified_at"),
    TransitionSpec("close", "Close", change_forms.CloseForm, gates.close_gate,
                   _assign("outcome", "review_answers", "lessons_learned"), "closed_at",
                   extra_keys=change_forms.CloseForm.accepted_keys),
    TransitionSpec("roll_back", "Roll back", change_forms.RollbackForm, gates.roll_back_gate, record_rollback,
                   danger=True),
    TransitionSpec("reject", "Reject", change_forms.ReasonForm, gates.reason_gate, _after_reason, "closed_at",
                   danger=True),
    TransitionSpec("cancel", "Cancel", change_forms.ReasonForm, gates.reason_gate, _after_reason, "closed_at",
                   danger=True),
    TransitionSpec("hold", "Put on hold", change_forms.ReasonForm, gates.reason_gate, _nothing),
]}

