"""Moving a change one step: the transition registry's form, gate and effect, under the change's lock
(changes.transitions); and what a step still misses."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_fsm import can_proceed

from changemgmt import events, ledger, locking
from changemgmt.errors import Conflict, GateRefused, Missing
from changes import rules
from changes.models import ChangeRequest
from changes.services.common import _lock, _validated
from changes.transitions import TRANSITIONS


def transition_missing(change, name: str, *, data=None, now=None) -> list[Missing]:
    """What the gate of `name` still misses for `change` (data: the transition's input, if any)."""
    return TRANSITIONS[name].gate(change, data or {}, now or timezone.now())


def available_transitions(change) -> list[str]:
    """Transitions whose source state matches (regardless of gate and permission)."""
    return [name for name in TRANSITIONS if can_proceed(getattr(change, name), check_conditions=False)]


def run_transition(*, change_id, name: str, actor, data=None, automatic: bool = False) -> ChangeRequest:
    """Move a change one step. `automatic` marks a move the system makes on someone's behalf (the
    last approval granted, a rejection): permission was checked by the action that caused it. A lost
    lock race is run once more, then answered with Conflict (changemgmt.locking.atomic_retry)."""
    spec = TRANSITIONS.get(name)
    if spec is None:
        raise ValidationError({"transition": f"Unknown transition {name!r}."})
    data = data if data is not None else {}
    return locking.atomic_retry(lambda: _transition(change_id, spec, actor, data, automatic))


def _transition(change_id, spec, actor, data, automatic: bool) -> ChangeRequest:
    name = spec.name
    change = _lock(change_id)
    if not automatic and not rules.can_transition(actor, change, name):
        raise PermissionDenied(f"You may not {spec.label.lower()} this change.")
    if not can_proceed(getattr(change, name), check_conditions=False):
        raise Conflict(f"“{spec.label}” is not possible while the change is at “{change.get_state_display()}”.")
    cleaned = _validated(spec.form, data, extra_keys=spec.extra_keys()).cleaned_data
    now = timezone.now()
    missing = spec.gate(change, cleaned, now)
    if missing:
        raise GateRefused(name, missing)
    before = change.state
    getattr(change, name)()
    if spec.timestamp:
        setattr(change, spec.timestamp, now)
    spec.effect(change, cleaned, actor, now)
    change.save()
    ledger.append(actor=actor, action=f"change.{name}", subject=change, payload={
        "from": before, "to": change.state, "automatic": automatic,
        "input": {key: value for key, value in cleaned.items() if value not in ("", None, {}, [])},
    })
    events.publish(f"change.{name}", actor=actor, change_id=change.pk, from_state=before, to_state=change.state)
    if name == "assess" and not change.approval_slots.filter(status="pending").exists():
        # Nothing to wait for (a pre-approved standard change): approval is immediate.
        return run_transition(change_id=change.pk, name="approve", actor=actor, automatic=True)
    return change
