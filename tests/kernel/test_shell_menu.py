"""The site_menu tag (base.html's signed-in menu in one Python tag) renders byte for byte what the
template it replaced rendered, with the live counter of notifications/_unread.html (which the counter's
own view still renders): for a user with one role and with every role, for one with none (no polling),
on the inbox (marked current) and elsewhere, with the name and the CSRF token escaped."""
import re

import pytest
from django.template import engines
from django.test import RequestFactory
from django.urls import resolve

from changemgmt.models import Notification, User

# base.html's menu before the tag, kept here as the reference.
MENU = (
    '<ul>\n        {% for link in nav_links %}\n        <li><a href="{{ link.url }}"{% if link.cu'
    'rrent %} aria-current="page"{% endif %}>{{ link.label }}</a></li>\n        {% endfor %}\n   '
    '     <li><a href="{% url \'inbox:list\' %}" {% if request.resolver_match.app_name == \'inbox\''
    ' %}aria-current="page"{% endif %}>Inbox {% include "notifications/_unread.html" %}</a></li'
    '>\n        <li>\n          <details class="dropdown">\n            <summary>{{ user.get_full_'
    'name|default:user.username }}</summary>\n            <ul dir="rtl">\n              <li><a hr'
    'ef="{% url \'tokens\' %}">API tokens</a></li>\n              <li>\n                <form metho'
    'd="post" action="{% url \'logout\' %}" class="inline">{% csrf_token %}\n                  <bu'
    'tton type="submit" class="link-button">Log out</button>\n                </form>\n          '
    '    </li>\n            </ul>\n          </details>\n        </li>\n      </ul>'
)


def render(source, request):
    """The menu with its CSRF token's mask (new in every context) left out."""
    html = engines["django"].from_string(source).render({}, request)
    return re.sub(r'(name="csrfmiddlewaretoken" value=")[^"]+', r"\1…", html)


def request_for(user, path):
    request = RequestFactory().get(path)
    request.user, request.resolver_match = user, resolve(path)
    return request


@pytest.mark.parametrize("path", ["/inbox/", "/changes/", "/"])
def test_the_tag_renders_what_the_template_rendered(requester, admin_user, path):
    nobody = User.objects.create_user(username="o'neil", first_name="Ann <b>", last_name="O'Neil")
    Notification.objects.create(user=requester, kind="mentioned", title="t", body="b")
    for user in (requester, admin_user, nobody):
        request = request_for(user, path)
        html = render("{% load cm_shell %}{% site_menu %}", request)
        assert html == render(MENU, request)
        assert 'name="csrfmiddlewaretoken" value="…"' in html and ("hx-get=" in html) == (user != nobody)
    assert "Ann &lt;b&gt; O&#x27;Neil" in html


def test_without_the_context_processors_the_tag_renders_what_the_template_did(requester):
    """A template rendered without a request (no menu, inbox state or CSRF token in its context)."""
    for source in ("{% load cm_shell %}{% site_menu %}", MENU):
        assert engines["django"].from_string(source).render({"user": requester}) == engines["django"].from_string(
            MENU).render({"user": requester})
