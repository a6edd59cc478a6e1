"""The rows of a change table (list page, dashboard), rendered in Python in one tag.

A template per cell ({% url %}, badge filters, a loop over services) made the 50-row list several
times slower than the rest of the page (bench/README.md). The markup is the same; every value a
user typed goes through html.escape, which is what django.utils.html.escape does minus its
lazy-string wrapper, so text stays escaped."""
from html import escape

from django import template
from django.utils import timezone
from django.utils.safestring import mark_safe

from changemgmt.templatetags.cm_format import EMPTY, person, risk_badge, state_badge
from changemgmt.web.markup import PerTable, url_by_pk

register = template.Library()

NO_SERVICE = '<span class="muted">—</span>'
def _detail_url():
    """`pk -> URL` for a change page, reversing once per table instead of once per row."""
    return url_by_pk("changes:detail")


def _services(change):
    """The list selectors' `service_list` (changes.selectors.with_services), else the relation."""
    listed = getattr(change, "service_list", None)
    return change.services.all() if listed is None else listed


def _row(change, url, kept: dict[object, PerTable], selectable: bool = False, zone=None) -> str:
    """One `<tr>`. `kept` holds, for the whole table, each badge and each escaped text that repeats
    from row to row (a state, a risk, a type label, an owner's name, a service's chip): escaping the
    same few strings again on every row was a fifth of the tag's time."""
    chips = "".join(kept[_chip][service.name] for service in _services(change))
    if change.planned_start:
        moment = timezone.localtime(change.planned_start, zone)
        when, start = moment.isoformat(), moment.strftime("%-d %b %H:%M")
    else:
        when, start = "", EMPTY
    link = url(change.pk)
    select = (f'<td class="select"><input type="checkbox" name="changes" value="{change.pk}" form="bulk-changes" '
              f'aria-label="Select {change.reference}"></td>') if selectable else ""
    return (f'<tr>{select}<td class="ref"><a href="{link}">{change.reference}</a></td>'
            f'<td class="title-cell"><a href="{link}">{escape(change.title)}</a></td>'
            f'<td>{kept[state_badge][change.state]}</td>'
            f'<td>{kept[escape][change.get_change_type_display()]}</td>'
            f'<td>{kept[risk_badge][change.risk_level]}</td><td>{kept[escape][person(change.owner)]}</td>'
            f'<td class="services">{chips or NO_SERVICE}</td>'
            f'<td class="nowrap"><time datetime="{when}">{start}</time></td></tr>')


def _chip(name: str) -> str:
    return f'<span class="chip">{escape(name)}</span>'


@register.simple_tag
def change_rows(rows, selectable=False):
    """`<tr>`s for changes from changes.selectors.change_rows, passed through with_services; with
    `selectable`, each row starts with a checkbox of the list's bulk form (`#bulk-changes`)."""
    url, zone = _detail_url(), timezone.get_current_timezone()
    kept = {markup: PerTable(markup) for markup in (state_badge, risk_badge, escape, _chip)}
    return mark_safe("\n".join(_row(change, url, kept, selectable, zone) for change in rows))
