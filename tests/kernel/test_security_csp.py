"""A Content-Security-Policy on every response, templates without inline script, event handlers or
styles, and the API docs served from our own static files (issue 9 §7)."""
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from changemgmt.roles import Role
from tests.support import factories as f
from tests.support.lifecycle import in_approval

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_DIRS = [ROOT / "templates"]
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']\s*javascript:""", re.IGNORECASE)


def templates():
    return sorted(path for folder in TEMPLATE_DIRS for path in folder.rglob("*.html"))


def policy(response) -> dict[str, list[str]]:
    header = response.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response.request['PATH_INFO']}"
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def static_routes(patterns=None, prefix=""):
    """Every URL of the configuration without a path parameter: the pages a user reaches directly."""
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        route = str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from static_routes(pattern.url_patterns, prefix + route)
        elif isinstance(pattern, URLPattern) and "<" not in route and "(" not in route and "^" not in route:
            yield "/" + prefix + route.rstrip("$")


@pytest.fixture
def superuser(db):
    user = f.make_user("ada", Role.ADMINISTRATOR, Role.REQUESTER, team="Platform")
    user.is_staff = user.is_superuser = True
    user.save()
    return user


def test_the_policy_allows_only_our_own_scripts_styles_and_frames(db):
    directives = policy(Client().get("/login/"))

    assert directives["script-src"] == ["'self'"] and directives["style-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"] and directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"] and directives["form-action"] == ["'self'"]
    assert directives["img-src"] == ["'self'", "data:"] and directives["connect-src"] == ["'self'"]
    assert directives["font-src"] == ["'self'"]
    assert not any("unsafe" in value for values in directives.values() for value in values)


def test_every_page_answers_with_the_policy(superuser):
    client = Client()
    client.force_login(superuser)
    change = in_approval(f.make_user("alice", Role.REQUESTER, team="Payments"))
    urls = sorted(set(static_routes())) + [f"/changes/{change.pk}/", "/admin/changes/changerequest/",
                                             "/no-such-page/", "/api/no-such-endpoint/"]
    missing = []
    for url in urls:
        response = client.get(url)
        if "Content-Security-Policy" not in response:
            missing.append(f"{url} ({response.status_code})")
    assert len(urls) > 20 and missing == []


def test_anonymous_and_refused_responses_carry_the_policy_too(db):
    for url in ["/login/", "/", "/api/changes/", "/.well-known/changemgmt-ledger-key.pem"]:
        assert "Content-Security-Policy" in Client().get(url)


@pytest.mark.parametrize("rule, pattern", [("inline <script>", INLINE_SCRIPT), ("on…= event handler", EVENT_HANDLER),
                                           ("style attribute", STYLE_ATTRIBUTE), ("javascript: URL", JAVASCRIPT_URL)])
def test_no_template_has_inline_script_handlers_or_styles(rule, pattern):
    found = [f"{path.relative_to(ROOT)}:{text.count(chr(10), 0, match.start()) + 1}"
             for path in templates() for text in [path.read_text()] for match in pattern.finditer(text)]
    assert len(templates()) > 20 and found == [], f"{rule} (the CSP blocks it; use static/js or static/css): {found}"


class _References(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls, self.inline = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("src", "href"):
            if attrs.get(name):
                self.urls.append(attrs[name])
        if tag in ("script", "style") and not attrs.get("src"):
            self.inline.append(tag)


def test_api_docs_load_swagger_ui_from_our_own_static_files(superuser):
    client = Client()
    client.force_login(superuser)
    page = client.get("/api/docs/")
    references = _References()
    references.feed(page.content.decode())

    assert page.status_code == 200 and "Content-Security-Policy" in page
    assert references.inline == []
    assert references.urls and all(url.startswith(("/static/", "/api/docs/")) for url in references.urls), \
        references.urls
    assert any(url.endswith("swagger-ui-bundle.js") for url in references.urls)
    for url in references.urls:
        if url.startswith("/static/"):
            assert finders.find(url.removeprefix("/static/")), f"{url} is not among our static files"
    script = client.get(next(url for url in references.urls if "script" in url and url.startswith("/api/docs/")))
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()
