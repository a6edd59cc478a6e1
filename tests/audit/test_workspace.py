"""The audit workspace page: access, the ledger's filters and keyset pages, verify now, downloads,
a change's full history (issue 11 §1)."""
import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from changemgmt.ledger import services as ledger
from changemgmt.ledger import tree_heads
from changemgmt.ledger.audit import create_checkpoint
from changemgmt.ledger.models import LedgerEntry
from tests.support import factories as f
from tests.support import lifecycle as life

pytestmark = pytest.mark.django_db


def _entries(count, actor, action="test.note"):
    for number in range(count):
        ledger.append(actor=actor, action=action, subject=f"test.thing:{number}", payload={"n": number})


def test_requester_is_refused_every_door(client, requester):
    client.force_login(requester)
    for url in (reverse("audit:workspace"), reverse("audit:population-csv"), reverse("audit:exceptions-csv"),
                reverse("audit:population-xlsx"), reverse("audit:change-history", args=[1]),
                reverse("audit:evidence", args=[1])):
        assert client.get(url).status_code == 403, url
    count = LedgerEntry.objects.count()
    assert client.post(reverse("audit:verify")).status_code == 403
    assert LedgerEntry.objects.count() == count


def test_auditor_and_administrator_see_the_page_and_the_header_link(client, auditor, admin_user, requester):
    for user in (auditor, admin_user):
        client.force_login(user)
        page = client.get(reverse("audit:workspace"))
        assert page.status_code == 200
        assert f'href="{reverse("audit:workspace")}"' in page.content.decode()
    client.force_login(requester)
    assert f'href="{reverse("audit:workspace")}"' not in client.get(reverse("dashboard")).content.decode()


def test_ledger_filters_by_actor_action_and_period(client, auditor, requester, peer, frozen):
    _entries(2, requester, "test.alpha")
    frozen.move_to(f.NOW + timedelta(days=3))
    _entries(1, peer, "test.beta")
    client.force_login(auditor)
    url = reverse("audit:workspace")

    def actions(**params):
        return [e.action for e in client.get(url, params).context["entries"]]

    assert actions(actor="bob") == ["test.beta"]
    assert actions(action="test.al") == ["test.alpha", "test.alpha"]
    day = (f.NOW + timedelta(days=3)).date().isoformat()
    assert actions(start=day, action="test.") == ["test.beta"]
    assert actions(end=f.NOW.date().isoformat(), action="test.") == ["test.alpha", "test.alpha"]
    assert actions(subject="test.thing:1", action="test.") == ["test.alpha"]


def test_bad_filter_is_a_400_naming_the_field(client, auditor):
    client.force_login(auditor)
    response = client.get(reverse("audit:workspace"), {"start": "yesterday"})
    assert response.status_code == 400
    assert "start" in response.json()["errors"]


def test_pages_follow_seq_keyset_with_a_constant_number_of_queries(client, auditor, requester):
    client.force_login(auditor)
    url = reverse("audit:workspace")

    def queries(total):
        _entries(total - LedgerEntry.objects.count(), requester)
        client.get(url)  # warm the session and the user's roles
        with CaptureQueriesContext(connection) as captured:
            first = client.get(url, {"action": "test."})
            older = client.get(url, {"action": "test.", "before": first.context["next_before"]})
        return len(captured), first, older

    small, _first, _older = queries(60)
    large, first, older = queries(260)
    assert small == large
    seqs = [e.seq for e in first.context["entries"]] + [e.seq for e in older.context["entries"]]
    assert seqs == sorted(seqs, reverse=True) and len(set(seqs)) == 100
    assert "OFFSET" not in " ".join(q["sql"].upper() for q in connection.queries)


def test_verify_now_shows_the_result(client, auditor, requester):
    _entries(3, requester)
    client.force_login(auditor)
    response = client.post(reverse("audit:verify"))
    assert response.status_code == 200
    assert response.context["verification"].intact
    assert "Intact: 3 entries verified" in response.content.decode()


def test_checkpoints_and_tree_heads_download_as_json(client, auditor, requester):
    _entries(2, requester)
    checkpoint = create_checkpoint()
    head = tree_heads.sign_tree_head(actor=requester)
    client.force_login(auditor)
    page = client.get(reverse("audit:workspace")).content.decode()
    assert reverse("audit:checkpoint", args=[checkpoint.pk]) in page
    assert reverse("audit:tree-head", args=[head.tree_size]) in page
    kept = json.loads(client.get(reverse("audit:checkpoint", args=[checkpoint.pk])).content)
    assert kept["seq"] == checkpoint.seq and kept["signature"] == checkpoint.signature
    document = json.loads(client.get(reverse("audit:tree-head", args=[head.tree_size])).content)
    assert document == tree_heads.head_document(head)


def test_change_history_includes_the_cab_entries(client, auditor, requester, peer, peer2, manager, frozen):
    change = life.in_approval(requester, scores=f.HIGH_RISK)
    life.board_decides(change.approval_slots.get(role="cab"))
    client.force_login(auditor)
    entries = client.get(reverse("audit:change-history", args=[change.pk])).context["entries"]
    actions = [e.action for e in entries]
    assert "change.created" in actions and "cab.decided" in actions and "cab.emergency_convened" in actions
