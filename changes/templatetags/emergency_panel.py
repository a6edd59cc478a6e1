"""The emergency panel of the change page: an emergency change's verbal authorizations and 24-hour
paperwork (changes.emergency.panel), shown only to an emergency change."""
from django import template

from changes.emergency.panel import panel_context
from changes.emergency.rules import EMERGENCY

register = template.Library()


@register.inclusion_tag("emergency/_panel_slot.html", takes_context=True)
def emergency_panel(context, change):
    if change.change_type != EMERGENCY:
        return {"is_emergency": False}
    request = context.get("request")
    return {"is_emergency": True, "csrf_token": context.get("csrf_token"), "request": request,
            **panel_context(change, getattr(request, "user", None))}
