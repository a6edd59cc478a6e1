"""The approvals section of the change page: one table of the change's slots, each with the rule that
required it, its SLA clock, its decision (or the decide form, for someone who may decide it) and its
history. The rows come finished from the change page's presenter (changes.presenters.slot_rows, which
reads approvals.presenters.slot_clocks): this tag only renders them."""
from django import template

register = template.Library()


@register.inclusion_tag("approvals/_change_panels.html", takes_context=True)
def approval_panels(context, change, rows, *, is_standard=False, open=False):
    return {"change": change, "rows": rows, "is_standard": is_standard, "open": open,
            "csrf_token": context.get("csrf_token"), "request": context.get("request")}
