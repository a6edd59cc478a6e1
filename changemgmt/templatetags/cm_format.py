"""Formatting for pages: badges, local times, people, form widgets. Templates stay dumb; every
value goes through format_html/conditional_escape, so user text is always escaped. Badges read the
label and colour of an app's value from the vocabulary the app registered (changemgmt.choices), so
this kernel library imports no app."""
from django import forms, template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from changemgmt import choices

register = template.Library()

EMPTY = "—"


def _badge(vocabulary: str, value):
    label, colour, title = choices.badge(vocabulary, value)
    return format_html('<span class="badge badge-{}" title="{}">{}</span>', colour, title, label)


@register.filter
def state_badge(value):
    """A change's state (or a state code) as a coloured badge."""
    code = getattr(value, "state", value)
    if not code:
        return EMPTY
    return _badge("change_state", code)


@register.filter
def risk_badge(value):
    """A risk level code as a coloured badge; an unscored change says so."""
    if not value:
        return mark_safe('<span class="badge badge-outline" title="Risk not scored yet">not scored</span>')
    return _badge("risk_level", value)


@register.filter
def slot_badge(value):
    return _badge("slot_status", value)


@register.filter
def local(value, style="datetime"):
    """An aware datetime in the organisation's time zone: `Tue 1 Dec 2026, 06:00 EST`."""
    if not value:
        return EMPTY
    moment = timezone.localtime(value)
    if style == "date":
        return moment.strftime("%-d %b %Y")
    if style == "short":
        return moment.strftime("%-d %b %H:%M")
    return moment.strftime("%a %-d %b %Y, %H:%M %Z")


@register.filter
def iso(value):
    return timezone.localtime(value).isoformat() if value else ""


@register.filter
def person(user):
    """A user by full name, falling back to the username."""
    if user is None:
        return EMPTY
    return user.get_full_name() or user.username


@register.simple_tag
def widget(field):
    """Render a bound field's widget with aria-invalid and aria-describedby pointing at its errors
    and help text, so screen readers announce them (and Pico styles invalid inputs)."""
    attrs = {}
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}_help")
    if field.errors:
        attrs["aria-invalid"] = "true"
        described.append(f"{field.auto_id}_errors")
    if described and not isinstance(field.field.widget, (forms.CheckboxSelectMultiple, forms.RadioSelect)):
        attrs["aria-describedby"] = " ".join(described)
    return field.as_widget(attrs=attrs)


@register.filter
def is_choice_group(field):
    """Checkbox lists and radio groups are rendered as a fieldset with a legend."""
    return isinstance(field.field.widget, (forms.CheckboxSelectMultiple, forms.RadioSelect))


@register.filter
def is_checkbox(field):
    return isinstance(field.field.widget, forms.CheckboxInput)
