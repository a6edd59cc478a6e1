"""How changes reacts to what happens below it (approvals publishes, changes moves)."""
from changemgmt import events


def _all_granted(*, actor, change_id, **_):
    from changes.choices import State
    from changes.models import ChangeRequest
    from changes.services import run_transition

    if ChangeRequest.objects.filter(pk=change_id, state=State.APPROVAL).exists():
        run_transition(change_id=change_id, name="approve", actor=actor, automatic=True)


def _rejected(*, actor, change_id, reason, **_):
    from changes.choices import State
    from changes.models import ChangeRequest
    from changes.services import run_transition

    if ChangeRequest.objects.filter(pk=change_id, state__in=[State.APPROVAL, State.ASSESSMENT]).exists():
        run_transition(change_id=change_id, name="reject", actor=actor, data={"reason": reason}, automatic=True)


def connect():
    events.subscribe("approval.all_granted", _all_granted)
    events.subscribe("approval.rejected", _rejected)
