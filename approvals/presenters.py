"""The approval clocks of the change page as finished rows: each live slot's SLA badge and history.
Reads the slots the change page already fetched (decider and on-behalf-of joined) and their SLA steps
in one more query, whatever the slot count; the template tag only formats."""
from django.db.models import prefetch_related_objects

from approvals import badges
from approvals.choices import SlotStatus


def _history(slot) -> list[tuple]:
    """(when, text) of everything that happened to a slot: created, reminders/escalations, decision."""
    events = [(slot.created_at, "Requested")]
    for step in slot.sla_steps.all():
        what = "Reminder" if step.step.startswith("remind_") else "Escalation"
        events.append((step.sent_at, f"{what} ({step.step.replace('_', ' ')}) to {', '.join(step.recipients) or '—'}"))
    if slot.decided_at:
        who = slot.decided_by.username if slot.decided_by_id else "policy"
        behalf = f" on behalf of {slot.on_behalf_of.username}" if slot.on_behalf_of_id else ""
        via = f" via {slot.get_channel_display()}" if slot.channel else ""
        events.append((slot.decided_at, f"{slot.get_status_display()} by {who}{behalf}{via}"))
    return sorted(events, key=lambda event: event[0])


def slot_clocks(slots, now) -> list[dict]:
    """Per live (not superseded) slot, in the given order: the slot, its SLA badge and its history."""
    live = [slot for slot in slots if slot.status != SlotStatus.SUPERSEDED]
    prefetch_related_objects(live, "sla_steps")
    rclock = badges.RequestClock(now)
    return [{"slot": slot, "badge": badges.sla_badge(slot, rclock), "history": _history(slot)} for slot in live]
