"""Every synchronous reaction of the changes layer to a domain event, in one table (changemgmt.events).

Each handler runs inside the publisher's transaction, in the order listed:

    approval.all_granted     emergency paperwork re-checked; a change in approval moves on ("approve")
    approval.rejected        the change in approval or assessment is rejected
    change.deploy            an emergency change's 24-hour paperwork opens; the review follow-ups are scheduled
    change.updated           an emergency change's paperwork re-checked (documentation may be complete)
    change.risk_scored       an emergency change scored after deploying gets its post-hoc approval slots
    change.conflict_detected both owners are told
    freeze.caught_change     the owner is told
    change.<transition>      the change's watchers are told (changes.collaboration)
    conflicts.TOPICS         the change's conflicts are recomputed (changes.calendar.services.connect_conflicts)

The approval.* rows are why this is a signal and not a call: approvals sits below changes and may not
import it. The change.* rows are changes' own events, kept here so a reader finds every reaction to
a change's step in this one place rather than threaded through run_transition.
"""
from changemgmt import events
from changemgmt.models import NotificationKind
from changemgmt.notifications import Message, notify_many
from changes.calendar import services as calendar_services
from changes.calendar.models import Freeze
from changes.choices import State
from changes.collaboration import services as collaboration
from changes.emergency.services import paperwork
from changes.models import ChangeRequest
from changes.review import services as review
from changes.services import run_transition
from changes.transitions import TRANSITIONS


def _all_granted(*, actor, change_id, **_):
    paperwork.refresh(change_id=change_id, actor=actor)
    if ChangeRequest.objects.filter(pk=change_id, state=State.APPROVAL).exists():
        run_transition(change_id=change_id, name="approve", actor=actor, automatic=True)


def _rejected(*, actor, change_id, reason, **_):
    if ChangeRequest.objects.filter(pk=change_id, state__in=[State.APPROVAL, State.ASSESSMENT]).exists():
        run_transition(change_id=change_id, name="reject", actor=actor, data={"reason": reason}, automatic=True)


def _deployed(*, actor, change_id, **_):
    change = ChangeRequest.objects.get(pk=change_id)
    paperwork.start_review(change=change, actor=actor)
    review.schedule_follow_ups(change=change, actor=actor)


def _updated(*, actor, change_id, **_):
    paperwork.refresh(change_id=change_id, actor=actor)


def _risk_scored(*, actor, change_id, **_):
    paperwork.risk_scored(change_id=change_id, actor=actor)


def _conflict_detected(*, actor, change_id, other_id, owner_ids, shared, **_):
    """Both owners hear of a new schedule conflict, each with a link to their own change."""
    changes = {c.pk: c for c in ChangeRequest.objects.filter(pk__in=[change_id, other_id])}
    touched = ", ".join(shared.get("services", []) + shared.get("items", []))
    messages = []
    for mine, theirs in ((change_id, other_id), (other_id, change_id)):
        change, other = changes[mine], changes[theirs]
        owner_id = change.owner_id or change.requester_id
        if owner_id in owner_ids:
            messages.append(Message(owner_id, NotificationKind.CHANGE_CONFLICT,
                                    f"{change.reference} conflicts with {other.reference}",
                                    f"Both touch {touched} in overlapping time: “{other.title}”.",
                                    f"/changes/{change.pk}/"))
    notify_many(messages)


def _freeze_caught(*, actor, change_id, owner_id, held, **_):
    change = ChangeRequest.objects.get(pk=change_id)
    outcome = "was put on hold (back to testing)" if held else "is scheduled inside the freeze"
    notify_many([Message(owner_id, NotificationKind.FREEZE_CAUGHT, f"{change.reference} caught by a freeze",
                         f"“{change.title}” {outcome}. Reschedule it outside the freeze (the change page "
                         "offers the next available slots), or, for a soft freeze, add a written justification.",
                         f"/changes/{change.pk}/")])


def _freeze_lifted(*, actor, freeze_id, change_id, owner_id, **_):
    """The owner of a change a freeze caught hears it was lifted."""
    change, freeze = ChangeRequest.objects.get(pk=change_id), Freeze.objects.get(pk=freeze_id)
    notify_many([Message(owner_id, NotificationKind.FREEZE_LIFTED, f"{change.reference}: freeze lifted",
                         f"The freeze “{freeze.name}” over “{change.title}” was lifted: {freeze.lift_reason} "
                         "The planned time no longer falls in it; a change it put on hold moves on through "
                         "the test step as usual.", f"/changes/{change.pk}/")])


def _transitioned(*, actor, change_id, from_state=None, to_state=None, **_):
    collaboration.tell_watchers_of_transition(actor=actor, change_id=change_id, from_state=from_state,
                                              to_state=to_state)


def connect():
    """Subscribe the table above (called once, from ChangesConfig.ready)."""
    events.subscribe("approval.all_granted", _all_granted)
    events.subscribe("approval.rejected", _rejected)
    events.subscribe("change.deploy", _deployed)
    events.subscribe("change.updated", _updated)
    events.subscribe("change.risk_scored", _risk_scored)
    events.subscribe("change.conflict_detected", _conflict_detected)
    events.subscribe("freeze.caught_change", _freeze_caught)
    events.subscribe("freeze.lifted", _freeze_lifted)
    for name in TRANSITIONS:
        events.subscribe(f"change.{name}", _transitioned)
    calendar_services.connect_conflicts()
