"""The emergency panel of the change page: an emergency change's verbal authorizations and 24-hour
paperwork. The presenter hands the finished panel (changes.emergency.panel.panel_context), or None
for any other change; this tag only renders it."""
from django import template

register = template.Library()


@register.inclusion_tag("emergency/_panel_slot.html", takes_context=True)
def emergency_panel(context, panel):
    if panel is None:
        return {"is_emergency": False}
    return {"is_emergency": True, "csrf_token": context.get("csrf_token"), "request": context.get("request"),
            **panel}
