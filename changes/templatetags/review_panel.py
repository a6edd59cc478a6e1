"""The change page's post-implementation review panel: the follow-ups of a deployed change (one query,
none for a change never deployed), with a link to answer them."""
from django import template

from changes.review import selectors
from changes.review.rules import may_answer

register = template.Library()


@register.inclusion_tag("review/_panel_body.html", takes_context=True)
def review_panel(context, change):
    request = context.get("request")
    if change is None or not change.deployed_at:
        return {"follow_ups": []}
    return {"change": change, "follow_ups": selectors.follow_ups_of(change.pk),
            "may_answer": request is not None and may_answer(request.user, change)}
