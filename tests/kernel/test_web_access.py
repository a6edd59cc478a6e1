"""Who may open which page: anonymous visitors are sent to log in, an account without a role gets
403 everywhere, auditors read everything but see no forms and are refused on POST, and every POST
needs its CSRF token."""
import pytest
from django.test import Client
from django.urls import reverse

from changes import services
from changes.choices import State
from tests.support import factories as f


@pytest.fixture
def change(frozen, requester):
    return services.create_change(actor=requester, data=f.complete_fields())


def page_urls(change):
    return [reverse("dashboard"), reverse("changes:list"), reverse("changes:create"), reverse("changes:catalog"),
            reverse("changes:detail", args=[change.pk]), reverse("changes:edit", args=[change.pk]), reverse("tokens")]


def test_anonymous_visitors_are_sent_to_the_login_page(client, change):
    for url in page_urls(change):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


def test_login_page_signs_a_user_in_and_lands_on_my_work(client, requester):
    page = client.get(reverse("login"))
    assert b'<label for="id_username">' in page.content and b'<label for="id_password">' in page.content
    response = client.post(reverse("login"), {"username": "alice", "password": f.PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("dashboard")
    assert b"My work" in response.content


def test_a_user_without_any_role_gets_403_on_every_page(client, outsider, change):
    client.force_login(outsider)
    for url in page_urls(change):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("changes:create"), f.complete_fields(services=[])).status_code == 403
    assert client.post(reverse("changes:transition", args=[change.pk, "submit"])).status_code == 403


def test_auditor_reads_every_change_but_sees_no_forms_or_buttons(client, auditor, change):
    client.force_login(auditor)
    page = client.get(reverse("changes:detail", args=[change.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Submit for assessment" in html  # the gate checklist is shown…
    assert 'method="post" action="/changes/' not in html  # …but no form to act on it
    assert "File a change" not in client.get(reverse("changes:list")).content.decode()
    assert client.get(reverse("changes:edit", args=[change.pk])).status_code == 403


def test_auditor_posts_are_refused_by_the_services(client, auditor, change):
    client.force_login(auditor)
    assert client.post(reverse("changes:transition", args=[change.pk, "submit"])).status_code == 403
    assert client.post(reverse("changes:risk", args=[change.pk]), f.LOW_RISK).status_code == 403
    assert client.post(reverse("changes:create"), {"title": "x", "change_type": "normal",
                                                   "category": "application"}).status_code == 403
    assert f.reload(change).state == State.DRAFT


def test_post_without_csrf_token_is_refused(requester, change):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(requester)
    response = browser.post(reverse("changes:transition", args=[change.pk, "submit"]))
    assert response.status_code == 403
    assert f.reload(change).state == State.DRAFT
    assert browser.post(reverse("tokens"), {"name": "ci"}).status_code == 403


def test_script_in_a_title_is_rendered_escaped(client, frozen, requester):
    change = services.create_change(actor=requester, data=f.complete_fields(title="<script>alert(1)</script>"))
    client.force_login(requester)
    for url in [reverse("changes:detail", args=[change.pk]), reverse("changes:list"), reverse("dashboard")]:
        html = client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in html, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url
