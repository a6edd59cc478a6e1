"""The approvals panel of the change page: each slot's clock and history (an emergency change's
authorizations and paperwork are changes.templatetags.emergency_panel). Fetched here, in a fixed number of queries,
so the change page includes one partial without its view knowing about timers."""
from django import template
from django.utils import timezone

from approvals import badges
from approvals.choices import SlotStatus
from approvals.models import ApprovalSlot

register = template.Library()


def _history(slot) -> list[tuple]:
    """(when, text) of everything that happened to a slot: created, reminders/escalations, decision."""
    events = [(slot.created_at, "Requested")]
    for step in slot.sla_steps.all():
        what = "Reminder" if step.step.startswith("remind_") else "Escalation"
        events.append((step.sent_at, f"{what} ({step.step.replace('_', ' ')}) to {', '.join(step.recipients) or '—'}"))
    if slot.decided_at:
        who = slot.decided_by.username if slot.decided_by_id else "policy"
        behalf = f" on behalf of {slot.on_behalf_of.username}" if slot.on_behalf_of_id else ""
        events.append((slot.decided_at, f"{slot.get_status_display()} by {who}{behalf}"))
    return sorted(events, key=lambda event: event[0])


@register.inclusion_tag("approvals/_change_panels.html", takes_context=True)
def approval_panels(context, change):
    now = timezone.now()
    rclock = badges.RequestClock(now)
    slots = (ApprovalSlot.objects.filter(change=change).exclude(status=SlotStatus.SUPERSEDED)
             .select_related("decided_by", "on_behalf_of").prefetch_related("sla_steps").order_by("id"))
    clocks = [{"slot": slot, "badge": badges.sla_badge(slot, rclock), "history": _history(slot)} for slot in slots]
    return {"change": change, "clocks": clocks, "csrf_token": context.get("csrf_token"),
            "request": context.get("request")}
