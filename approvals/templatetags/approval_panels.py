"""The approvals panel of the change page: each slot's clock and history (an emergency change's
authorizations and paperwork are changes.templatetags.emergency_panel). The rows come finished from
the change page's presenter (approvals.presenters.slot_clocks): this tag only renders them."""
from django import template

register = template.Library()


@register.inclusion_tag("approvals/_change_panels.html", takes_context=True)
def approval_panels(context, change, clocks):
    return {"change": change, "clocks": clocks, "csrf_token": context.get("csrf_token"),
            "request": context.get("request")}
