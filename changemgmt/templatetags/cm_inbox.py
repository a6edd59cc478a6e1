"""The inbox's rows, rendered in Python in one tag.

Fifty rows of template (two `date` filters, a `{% url %}`, a `{% csrf_token %}` and `linebreaksbr`
each) were most of the inbox's time (bench/README.md). The markup is byte-for-byte what the loop in
templates/notifications/inbox.html rendered: dates as `date:"D j M H:i"` in the current time zone
(translated day and month names), user text through html.escape (django.utils.html.escape minus its
lazy wrapper), and the page's one CSRF token in every form."""
from html import escape

from django import template
from django.utils import timezone
from django.utils.dates import MONTHS_3, WEEKDAYS_ABBR
from django.utils.safestring import mark_safe

from changemgmt.web.markup import csrf_field, url_by_pk

register = template.Library()



class _Dates:
    """`date:"D j M H:i"` of the local time, with the zone and the names read once per table."""

    def __init__(self):
        self.zone = timezone.get_current_timezone()
        self.days = [str(WEEKDAYS_ABBR[day]) for day in range(7)]
        self.months = {month: str(name).title() for month, name in MONTHS_3.items()}

    def __call__(self, value) -> str:
        moment = timezone.localtime(value, self.zone)
        return escape(f"{self.days[moment.weekday()]} {moment.day} {self.months[moment.month]} "
                      f"{moment.hour:02d}:{moment.minute:02d}")


def _lines(text: str) -> str:
    """`linebreaksbr`: escaped, every kind of line end a <br>."""
    return escape(text.replace("\r\n", "\n").replace("\r", "\n")).replace("\n", "<br>")


def _row(note: dict, open_url, csrf: str, when: _Dates) -> str:
    title = escape(note["title"])
    unread = note["read_at"] is None
    kind = escape(note["kind_label"])
    due = when(note["due_at"]) if note["due_at"] else ""
    return (f'\n    <tr class="{"unread" if unread else ""}">\n'
            f'      <td>{f"<strong>{title}</strong>" if unread else title}\n'
            f'        <br><small class="muted">{kind} · {_lines(note["body"])}</small></td>\n'
            f'      <td class="nowrap">{due}</td>\n'
            f'      <td class="nowrap">{when(note["created_at"])}</td>\n'
            f'      <td><form method="post" action="{open_url(note["id"])}">{csrf}'
            f'<button type="submit" class="small">Open</button></form></td>\n'
            f'    </tr>\n  ')


@register.simple_tag(takes_context=True)
def inbox_rows(context, notes):
    """The `<tr>`s of the inbox for `notes` (changemgmt.notifications.selectors.inbox_page's dicts)."""
    open_url = url_by_pk("inbox:open")
    token = context.get("csrf_token")
    csrf = csrf_field(token)
    when = _Dates()
    return mark_safe("".join(_row(note, open_url, csrf, when)
                             for note in notes))
