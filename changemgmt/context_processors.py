"""Template context every page needs: the header's menu for the user's roles (each entry with its
address and whether it is the current page), the user's roles, the inbox state behind the header's
live unread counter (read with the user by changemgmt.backends, so it costs no query of its own) and
how often live parts poll.

Every page pays for this, so nothing is done twice: the menu's addresses are reversed once per
URLconf and script prefix (not once per entry per request), and the inbox state is read once per
request however often the page shows it.

The menu names pages by URL name only, so the kernel imports no app: an entry whose URL name does not
resolve (an app not installed) is left out rather than failing the page."""
import weakref
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.urls import NoReverseMatch, get_resolver, get_script_prefix, get_urlconf, reverse

from changemgmt.notifications.selectors import inbox_state
from changemgmt.roles import Role, roles_of

EVERYONE = None  # any role


@dataclass(frozen=True)
class Entry:
    """One menu entry: its label, URL name, the roles that use it (None: every role) and the URL
    namespaces (or, for a namespace-less page, URL names) under which it is the current page."""

    label: str
    url_name: str
    roles: frozenset[str] | None
    sections: tuple[str, ...]


MENU = [
    Entry("My work", "dashboard", EVERYONE, ("dashboard",)),
    Entry("Changes", "changes:list", EVERYONE, ("changes",)),
    Entry("My approvals", "approvals:queue", EVERYONE, ("approvals",)),
    Entry("Calendar", "calendar:index", EVERYONE, ("calendar",)),
    Entry("CAB", "cab:meetings", frozenset({Role.CAB_MEMBER, Role.CAB_CHAIR, Role.CTO, Role.CISO,
                                             Role.ADMINISTRATOR, Role.AUDITOR}), ("cab",)),
    # Emergency paperwork: its authors, the people who authorize (POLICY §7) and those who watch the rate.
    Entry("Emergency", "emergency:list", frozenset({Role.REQUESTER, Role.MANAGER, Role.SECURITY, Role.OPERATIONS,
                                                     Role.CAB_CHAIR, Role.CTO, Role.CISO, Role.ADMINISTRATOR,
                                                     Role.AUDITOR}), ("emergency",)),
    Entry("Metrics", "metrics:page", frozenset({Role.MANAGER, Role.CAB_CHAIR, Role.CTO, Role.CISO,
                                                 Role.ADMINISTRATOR, Role.AUDITOR}), ("metrics",)),
    Entry("Audit", "audit:workspace", frozenset({Role.AUDITOR, Role.ADMINISTRATOR}), ("audit",)),
    # Configuration pages (changemgmt.web.configure.PAGES): windows, freezes, board, roster, catalog, policy.
    Entry("Configure", "configure", frozenset({Role.ADMINISTRATOR, Role.CAB_CHAIR, Role.OPERATIONS, Role.MANAGER}),
          ("configure", "configure-policy", "configure-policy-edit")),
]


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str
    current: bool


# URLResolver -> {(script prefix, URL name): address or None}; a new URLconf (tests, clear_url_caches)
# is a new resolver, so its addresses are reversed afresh and the old ones dropped with it.
_REVERSED = weakref.WeakKeyDictionary()


def _url(name: str) -> str | None:
    known = _REVERSED.setdefault(get_resolver(get_urlconf()), {})
    key = (get_script_prefix(), name)
    if key not in known:
        try:
            known[key] = reverse(name)
        except NoReverseMatch:  # the page's app is not installed (yet): no entry
            known[key] = None
    return known[key]


def _section(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return ""
    return match.namespace or match.url_name or ""


def menu(request, roles) -> list[NavLink]:
    """The header's entries for these roles, the current page's marked (aria-current="page")."""
    if not roles:
        return []
    section = _section(request)
    links = []
    for entry in MENU:
        if entry.roles is not EVERYONE and not roles & entry.roles:
            continue
        url = _url(entry.url_name)
        if url is not None:
            links.append(NavLink(entry.label, url, section in entry.sections))
    return links


def navigation(request):
    user = getattr(request, "user", None)
    roles = roles_of(user)

    @cache
    def inbox():
        return inbox_state(user)

    def unread_count():
        return inbox().unread

    def nav_links():
        return menu(request, roles)

    return {"user_roles": roles, "inbox": inbox, "unread_count": unread_count, "nav_links": nav_links,
            "poll_seconds": settings.LIVE_POLL_SECONDS}
