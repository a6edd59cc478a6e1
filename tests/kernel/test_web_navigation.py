"""The header's menu: each role sees the pages it uses, the current page is marked, and an entry
whose page is not installed is left out instead of breaking every page."""
import re

import pytest

from changemgmt import context_processors


def _menu(client, user, url="/"):
    client.force_login(user)
    page = client.get(url).content.decode()
    nav = page[page.index('aria-label="Main"'):page.index("</nav>")]
    return nav, re.findall(r'<a href="[^"]*"(?: aria-current="page")?>([^<]+)</a>', nav)


def test_a_requester_sees_calendar_and_emergency_but_not_cab_or_audit(client, requester):
    _nav, labels = _menu(client, requester)
    assert {"My work", "Changes", "My approvals", "Calendar", "Emergency"} <= set(labels)
    assert "CAB" not in labels and "Audit" not in labels


def test_the_cab_chair_sees_cab_and_the_auditor_sees_audit(client, cab_chair, auditor):
    _nav, labels = _menu(client, cab_chair)
    assert {"Calendar", "CAB", "Emergency"} <= set(labels) and "Audit" not in labels
    client.logout()
    _nav, labels = _menu(client, auditor)
    assert {"CAB", "Audit", "Calendar", "Emergency"} <= set(labels)


def test_a_peer_reviewer_gets_no_cab_emergency_or_audit_entry(client, peer):
    _nav, labels = _menu(client, peer)
    assert "Calendar" in labels
    assert not {"CAB", "Emergency", "Audit", "Metrics"} & set(labels)


@pytest.mark.parametrize("url, label", [("/calendar/", "Calendar"), ("/cab/", "CAB"),
                                        ("/approvals/emergency/", "Emergency"), ("/changes/", "Changes"),
                                        ("/", "My work"), ("/audit/", "Audit")])
def test_the_current_page_is_marked(client, admin_user, url, label):
    nav, _labels = _menu(client, admin_user, url)
    assert re.findall(r'aria-current="page">([^<]+)</a>', nav) == [label]


def test_metrics_shows_for_managers_only_when_its_page_exists(client, manager, peer, monkeypatch):
    real = context_processors._url

    def with_metrics(name):
        return "/metrics/" if name == "metrics:page" else real(name)

    installed = real("metrics:page") is not None
    _nav, labels = _menu(client, manager)
    assert ("Metrics" in labels) == installed  # not installed: left out, the page still renders
    monkeypatch.setattr(context_processors, "_url", with_metrics)
    _nav, labels = _menu(client, manager)
    assert "Metrics" in labels
    client.logout()
    _nav, labels = _menu(client, peer)
    assert "Metrics" not in labels


def test_an_unknown_url_name_is_left_out():
    assert context_processors._url("metrics:nowhere") is None
