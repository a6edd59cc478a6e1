"""Approvals reacting to its own events: tell the people who may decide a new slot."""
from approvals.choices import SLOT_HOLDERS, SlotRole
from changemgmt import events
from changemgmt.models import NotificationKind, User
from changemgmt.notifications import Message, notify_many


def _slots_created(*, actor, change_id, slot_ids, **_):
    """Notify every holder of each new slot's role (never the change's author or owner)."""
    if not slot_ids:
        return
    from approvals.models import ApprovalSlot
    from approvals.sla import change_path

    slots = list(ApprovalSlot.objects.filter(pk__in=slot_ids).select_related("change"))
    roles = {role for slot in slots for role in SLOT_HOLDERS[slot.role]}
    holders: dict[str, set[int]] = {}
    for user_id, role in User.objects.filter(is_active=True, groups__name__in=roles).values_list("id", "groups__name"):
        holders.setdefault(role, set()).add(user_id)
    messages = []
    for slot in slots:
        change = slot.change
        people = set().union(*(holders.get(r, set()) for r in SLOT_HOLDERS[slot.role]))
        people -= {change.requester_id, change.owner_id}
        title = f"{change.reference}: {SlotRole(slot.role).label.lower()} approval requested"
        body = f"{change.title}\nRequired because: {slot.rule} ({slot.policy})."
        messages += [Message(uid, NotificationKind.APPROVAL_REQUESTED, title, body, change_path(change.pk),
                             slot.due_at) for uid in sorted(people)]
    notify_many(messages)


def _deployed(*, actor, change_id, **_):
    """An emergency change just deployed: start its 24-hour paperwork clock."""
    from approvals import emergency_paperwork

    change = emergency_paperwork.change_model().objects.get(pk=change_id)
    emergency_paperwork.start_review(change=change, actor=actor)


def _paperwork_may_be_done(*, actor, change_id, **_):
    """A decision or an edit may complete an emergency change's paperwork."""
    from approvals import emergency_paperwork

    emergency_paperwork.refresh(change_id=change_id, actor=actor)


def _risk_scored(*, actor, change_id, **_):
    """An emergency change scored after its deployment gets its post-hoc approval slots."""
    from approvals import emergency_paperwork

    emergency_paperwork.risk_scored(change_id=change_id, actor=actor)


def connect():
    events.subscribe("approval.slots_created", _slots_created)
    events.subscribe("change.deploy", _deployed)
    events.subscribe("approval.all_granted", _paperwork_may_be_done)
    events.subscribe("change.updated", _paperwork_may_be_done)
    events.subscribe("change.risk_scored", _risk_scored)
