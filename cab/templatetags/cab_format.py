"""Formatting for CAB pages: snapshot times (ISO text) in org time, and badges from choices."""
from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.html import format_html

from cab.choices import (
    ACTION_COLOURS,
    KIND_COLOURS,
    OUTCOME_COLOURS,
    STATUS_COLOURS,
    VOTE_COLOURS,
    ActionStatus,
    MeetingKind,
    MeetingStatus,
    Outcome,
    VoteChoice,
)

register = template.Library()


@register.filter
def snap_time(value):
    """An ISO timestamp stored in an agenda snapshot, shown in the organisation's time zone."""
    if not value:
        return "—"
    return f"{timezone.localtime(datetime.fromisoformat(value)):%a %-d %b %H:%M}"


def _badge(choices, colours, value):
    try:
        choice = choices(value)
    except ValueError:
        return value
    return format_html('<span class="badge badge-{}">{}</span>', colours.get(choice, "grey"), choice.label)


@register.filter
def vote_badge(value):
    return _badge(VoteChoice, VOTE_COLOURS, value)


@register.filter
def outcome_badge(value):
    return _badge(Outcome, OUTCOME_COLOURS, value)


@register.filter
def meeting_badge(value):
    return _badge(MeetingStatus, STATUS_COLOURS, value)


@register.filter
def kind_badge(value):
    return _badge(MeetingKind, KIND_COLOURS, value)


@register.filter
def action_badge(value):
    return _badge(ActionStatus, ACTION_COLOURS, value)
