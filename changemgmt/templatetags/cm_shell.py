"""The signed-in header's menu (base.html), rendered in Python in one tag.

Every page renders it, so its template cost is paid on every request: a loop over the menu, four
`{% url %}`s, the live counter's include and a `{% csrf_token %}` were about two thirds of base.html's
rendering (bench/README.md, issue 13). The addresses are reversed once per URLconf and script prefix
(as the menu's own, changemgmt.context_processors); the markup is byte for byte what the template
rendered, and the live counter's markup is notifications/_unread.html's, which the counter's own view
still renders (tests/kernel/test_shell_menu.py compares both with the template)."""
import weakref
from html import escape
from urllib.parse import quote

from django import template
from django.urls import get_resolver, get_script_prefix, get_urlconf, reverse
from django.utils.safestring import mark_safe

from changemgmt.web.markup import csrf_field

register = template.Library()

CURRENT = ' aria-current="page"'

# URLResolver -> {script prefix: (inbox, unread counter, API tokens, log out) addresses, escaped}
_ADDRESSES = weakref.WeakKeyDictionary()


def _addresses() -> tuple[str, str, str, str]:
    known = _ADDRESSES.setdefault(get_resolver(get_urlconf()), {})
    prefix = get_script_prefix()
    if prefix not in known:
        known[prefix] = tuple(escape(reverse(name)) for name in ("inbox:list", "inbox:unread", "tokens", "logout"))
    return known[prefix]


def _value(context, name):
    """A context value as a template variable resolves it: the navigation context processor gives
    callables (evaluated only by pages that show them)."""
    value = context.get(name)
    value = value() if callable(value) else value
    return "" if value is None else value


@register.simple_tag(takes_context=True)
def site_menu(context):
    """The menu of a signed-in user: the entries of their roles (`nav_links`), the inbox with its live
    unread counter, and their name's drop-down (API tokens, log out)."""
    inbox_url, unread_url, tokens_url, logout_url = _addresses()
    user, request = context["user"], context.get("request")
    links = "".join(f'\n        <li><a href="{escape(link.url)}"{CURRENT if link.current else ""}>'
                    f'{escape(link.label)}</a></li>\n        ' for link in _value(context, "nav_links") or ())
    match = getattr(request, "resolver_match", None)
    current = 'aria-current="page"' if getattr(match, "app_name", None) == "inbox" else ""
    inbox = _value(context, "inbox")
    version, unread = getattr(inbox, "version", ""), getattr(inbox, "unread", "")
    poll = (f' hx-get="{unread_url}?since={escape(quote(str(version), safe="/"))}" '
            f'hx-trigger="every {escape(str(_value(context, "poll_seconds")))}s" hx-select="#unread-count" '
            f'hx-swap="outerHTML"') if _value(context, "user_roles") else ""
    counter = (f'<span id="unread-count" class="count"{poll} aria-label="unread notifications">'
               f'{escape(str(unread))}</span>')
    name = escape(str(user.get_full_name() or user.username))
    return mark_safe(
        f"<ul>\n        {links}\n"
        f'        <li><a href="{inbox_url}" {current}>Inbox {counter}</a></li>\n'
        f'        <li>\n          <details class="dropdown">\n            <summary>{name}</summary>\n'
        f'            <ul dir="rtl">\n              <li><a href="{tokens_url}">API tokens</a></li>\n'
        f'              <li>\n                <form method="post" action="{logout_url}" class="inline">'
        f'{csrf_field(context.get("csrf_token"))}\n'
        f'                  <button type="submit" class="link-button">Log out</button>\n'
        f"                </form>\n              </li>\n            </ul>\n          </details>\n        </li>\n"
        f"      </ul>")
