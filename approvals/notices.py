"""Telling the people who may decide a new approval slot (called by approvals.services.sync_slots)."""
from approvals.choices import SLOT_HOLDERS, SlotRole
from approvals.sla import change_path
from changemgmt.models import NotificationKind, User
from changemgmt.notifications import Message, notify_many


def slots_requested(slots) -> list[tuple]:
    """Notify every holder of each new slot's role (never the change's author or owner); returns the
    (slot, notification) pairs, for the mails' decision links (approvals.services.plan_email_links)."""
    if not slots:
        return []
    roles = {role for slot in slots for role in SLOT_HOLDERS[slot.role]}
    holders: dict[str, set[int]] = {}
    for user_id, role in User.objects.filter(is_active=True, groups__name__in=roles).values_list("id", "groups__name"):
        holders.setdefault(role, set()).add(user_id)
    messages, asked = [], []
    for slot in slots:
        change = slot.change
        people = set().union(*(holders.get(r, set()) for r in SLOT_HOLDERS[slot.role]))
        people -= {change.requester_id, change.owner_id}
        title = f"{change.reference}: {SlotRole(slot.role).label.lower()} approval requested"
        body = f"{change.title}\nRequired because: {slot.rule} ({slot.policy})."
        messages += [Message(uid, NotificationKind.APPROVAL_REQUESTED, title, body, change_path(change.pk),
                             slot.due_at) for uid in sorted(people)]
        asked += [slot] * len(people)
    return list(zip(asked, notify_many(messages), strict=True))
