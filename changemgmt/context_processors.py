"""Template context every page needs: the header's menu for the user's roles (each entry with its
address and whether it is the current page), the user's roles, and the unread notification count (a
callable, so it costs its one query only on pages that show it).

The menu names pages by URL name only, so the kernel imports no app: an entry whose URL name does not
resolve (an app not installed) is left out rather than failing the page."""
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from changemgmt.notifications.selectors import unread_count as count
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


def _url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:  # the page's app is not installed (yet): no entry
        return None


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

    def unread_count():
        return count(user)

    def nav_links():
        return menu(request, roles)

    return {"user_roles": roles, "unread_count": unread_count, "nav_links": nav_links}
