"""Formatting for CAB pages: snapshot times (ISO text) in org time, and badges from choices.

Both are memoised: a meeting page shows a few hundred of them drawn from a handful of values
(badges) or repeated snapshot times, and each call otherwise parses, converts and builds HTML anew.
"""
from datetime import datetime
from functools import lru_cache

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from markdown_it import MarkdownIt

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
    return _snap_time(value, timezone.get_current_timezone_name())


@lru_cache(maxsize=4096)
def _snap_time(value: str, zone: str) -> str:
    return f"{timezone.localtime(datetime.fromisoformat(value)):%a %-d %b %H:%M}"


COLOURS = {VoteChoice: VOTE_COLOURS, Outcome: OUTCOME_COLOURS, MeetingStatus: STATUS_COLOURS,
           MeetingKind: KIND_COLOURS, ActionStatus: ACTION_COLOURS}


@lru_cache(maxsize=256)
def _badge(choices, value):
    try:
        choice = choices(value)
    except ValueError:
        return value
    return format_html('<span class="badge badge-{}">{}</span>', COLOURS[choices].get(choice, "grey"), choice.label)


@register.filter
def vote_badge(value):
    return _badge(VoteChoice, value)


@register.filter
def outcome_badge(value):
    return _badge(Outcome, value)


@register.filter
def meeting_badge(value):
    return _badge(MeetingStatus, value)


@register.filter
def kind_badge(value):
    return _badge(MeetingKind, value)


@register.filter
def action_badge(value):
    return _badge(ActionStatus, value)


# CommonMark with raw HTML off (typed HTML is shown as text, never run) and line breaks kept, so the
# minutes read as they were written; tables for any the notes contain.
_MARKDOWN = MarkdownIt("commonmark", {"html": False, "breaks": True}).enable("table")


@register.filter
def markdown_html(text):
    """The minutes' Markdown as HTML for the page (the published text itself stays Markdown)."""
    return mark_safe(_MARKDOWN.render(text or ""))  # noqa: S308 - markdown-it escapes the text; raw HTML is off
