"""The approval clocks of the change page as finished rows: each live slot's SLA badge and history.
Reads the slots the change page already fetched (decider and on-behalf-of joined) and their SLA steps
(read with them, or in one more query), whatever the slot count; the template tag only formats."""
from django.db import DEFAULT_DB_ALIAS

from approvals import badges
from approvals.choices import SlotStatus
from approvals.models import SlaStep
from changemgmt.compiled import CompiledQuery


def _history(slot, steps) -> list[tuple]:
    """(when, text) of everything that happened to a slot: created, reminders/escalations, decision."""
    events = [(slot.created_at, "Requested")]
    for step in steps:
        what = "Reminder" if step.step.startswith("remind_") else "Escalation"
        events.append((step.sent_at, f"{what} ({step.step.replace('_', ' ')}) to {', '.join(step.recipients) or '—'}"))
    if slot.decided_at:
        who = slot.decided_by.username if slot.decided_by_id else "policy"
        behalf = f" on behalf of {slot.on_behalf_of.username}" if slot.on_behalf_of_id else ""
        via = f" via {slot.get_channel_display()}" if slot.channel else ""
        events.append((slot.decided_at, f"{slot.get_status_display()} by {who}{behalf}{via}"))
    return sorted(events, key=lambda event: event[0])


# The SLA steps of one change's slots, by slot id (SlaStep's default ordering, "slot", would join the
# slot and its change to sort): one SQL text whatever the number of slots, built once per process.
_STEPS = CompiledQuery(lambda change_id: SlaStep.objects.filter(slot__change_id=change_id)
                       .order_by("slot_id", "scheduled_at", "id"))


def slot_clocks(slots, now, sla_steps=None) -> list[dict]:
    """Per live (not superseded) slot of one change, in the given order: the slot, its SLA badge and its
    history. `sla_steps`: the change's SLA steps in _STEPS's order when the caller already read them
    (the change page, changes.page_loader); else one query reads them."""
    live = [slot for slot in slots if slot.status != SlotStatus.SUPERSEDED]
    steps = {slot.pk: [] for slot in live}
    if steps:
        if sla_steps is None:
            sla_steps = _STEPS.objects(live[0].change_id, live[0]._state.db or DEFAULT_DB_ALIAS)
        for step in sla_steps:
            if step.slot_id in steps:  # a superseded slot's steps are not shown
                steps[step.slot_id].append(step)
    # The business calendar is built only when a pending slot has a clock to show.
    rclock = (badges.RequestClock(now) if any(s.status == SlotStatus.PENDING and s.due_at for s in live)
              else None)
    return [{"slot": slot, "badge": badges.sla_badge(slot, rclock), "history": _history(slot, steps[slot.pk])}
            for slot in live]
