"""Formatting for the change page that knows the change request itself: the progress bar."""
from django import template

from changes.choices import PIPELINE, State

register = template.Library()


@register.simple_tag
def pipeline_steps(change):
    """The conveyor belt for the progress bar: (label, status) with status done/current/todo.

    A change that left the belt (rejected, cancelled, rolled back) shows the steps it reached, from
    the timestamps the services stamp on each transition."""
    state = change.state
    if state in PIPELINE:
        current = PIPELINE.index(state)
        return [(step.label if step != State.CLOSED else "Closed",
                 "done" if i < current or state == State.CLOSED else "current" if i == current else "todo")
                for i, step in enumerate(PIPELINE)]
    reached = 0
    for index, stamp in ((1, change.submitted_at), (3, change.approved_at), (5, change.deployed_at),
                         (6, change.verified_at)):
        if stamp:
            reached = index
    return [(step.label, "done" if i <= reached else "exited") for i, step in enumerate(PIPELINE)]
