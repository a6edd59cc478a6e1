"""Retention per record kind (issue 11 §8, POLICY §9): the daily job purges what expired, per kind and
its policy years, leaving a tombstone and a ledger entry; a legal hold on a change stops it; the
ledger is never purged and still verifies."""
from datetime import timedelta

import pytest
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from audit.retention import services
from audit.retention.models import Tombstone
from audit.retention.tasks import purge_expired_records
from changemgmt import policy, policy_services
from changemgmt.ledger.audit import verify_database
from changemgmt.models import LedgerEntry
from changes import invariants
from changes.models import ChangeRequest, RollbackRecord
from changes.models import TestEvidence as Evidence
from tests.support import lifecycle as life
from tests.support.api import client_for, post_json

pytestmark = pytest.mark.django_db
CLOSE = {"outcome": "successful", "review_answers": life.ALL_REVIEW, "lessons_learned": "Went fine"}


def _closed(requester, peers, frozen):
    change = life.deployed(requester, peers, frozen)
    frozen.move_to(change.deployed_at + timedelta(hours=3))
    from changes import services as change_services
    change_services.run_transition(change_id=change.pk, name="verify", actor=requester,
                                   data={"verification_checks": life.ALL_CHECKS})
    return change_services.run_transition(change_id=change.pk, name="close", actor=requester, data=CLOSE)


def test_test_results_go_after_one_year_changes_after_three(requester, peer, peer2, frozen):
    assert PeriodicTask.objects.filter(task="audit.purge_expired_records").exists()
    change = _closed(requester, [peer, peer2], frozen)
    evidence = Evidence.objects.filter(change=change).order_by("pk").first()
    summary = evidence.summary
    entries_before = LedgerEntry.objects.count()

    frozen.move_to(evidence.recorded_at + timedelta(days=364))
    assert purge_expired_records()["test_results"] == 0  # not yet a year
    frozen.move_to(evidence.recorded_at + timedelta(days=366))
    counts = purge_expired_records()
    assert counts["test_results"] == 5 and counts["changes"] == 0 and counts["approvals"] == 0
    evidence.refresh_from_db()
    assert evidence.summary == services.PURGED and evidence.result == "passed"  # the skeleton stays
    assert not Evidence.history.filter(id=evidence.pk).exists()  # the content's history is gone too
    stone = Tombstone.objects.get(kind="test_results", object_id=evidence.pk)
    assert stone.content_sha256 == services.content_hash({"summary": summary, "evidence_url": ""})
    assert stone.reference.startswith(change.reference)
    purged = LedgerEntry.objects.filter(action="retention.purged")
    assert purged.count() == 5 and LedgerEntry.objects.count() == entries_before + 5
    assert purged.first().payload["content_sha256"] in set(Tombstone.objects.values_list("content_sha256",
                                                                                         flat=True))
    assert purge_expired_records()["test_results"] == 0  # idempotent: nothing twice

    frozen.move_to(change.closed_at + timedelta(days=3 * 365 + 2))
    counts = purge_expired_records()
    assert counts["changes"] == 1 and counts["approvals"] == 2
    change = ChangeRequest.objects.get(pk=change.pk)
    assert change.description == services.PURGED and change.reference and change.state == "closed"
    assert verify_database().intact  # the ledger is never purged and still verifies
    assert invariants.check_all([change.pk], with_ledger=False) == []  # the skeleton still tells the story


def test_legal_hold_stops_the_purge(requester, peer, peer2, admin_user, frozen):
    change = _closed(requester, [peer, peer2], frozen)
    services.set_legal_hold(change_id=change.pk, actor=admin_user, hold=True, reason="Litigation 42")
    frozen.move_to(change.closed_at + timedelta(days=4 * 365))
    assert sum(purge_expired_records().values()) == 0
    assert not Tombstone.objects.exists()
    services.set_legal_hold(change_id=change.pk, actor=admin_user, hold=False, reason="Case closed")
    assert purge_expired_records()["changes"] == 1
    actions = list(LedgerEntry.objects.filter(action__startswith="change.legal_hold").values_list("action",
                                                                                                    flat=True))
    assert actions == ["change.legal_hold_placed", "change.legal_hold_released"]


def test_retention_years_come_from_policy(requester, peer, peer2, admin_user, frozen):
    change = life.deployed(requester, [peer, peer2], frozen)
    values = {**policy.get("retention_years"), "test_results": 2}
    policy_services.update_setting(key="retention_years", value=values, actor=admin_user)
    frozen.move_to(change.deployed_at + timedelta(days=400))
    assert purge_expired_records()["test_results"] == 0


def test_rollback_records_purged_after_three_years(requester, peer, peer2, frozen):
    change = life.deployed(requester, [peer, peer2], frozen)
    from changes import services as change_services
    now = change.deployed_at + timedelta(minutes=30)
    frozen.move_to(now)
    change_services.run_transition(change_id=change.pk, name="roll_back", actor=requester, data={
        "severity": "high", "trigger": "error_rate_rise", "kind": "application", "reason": "5xx rose",
        "decided_at": now.isoformat(), "completed_at": now.isoformat(), "steps_executed": "Redeployed",
        "impact": "some errors", "root_cause": "Null refunds", "preventive_measures": "Contract test"})
    record = RollbackRecord.objects.get(change=change)
    frozen.move_to(record.completed_at + timedelta(days=3 * 365 + 2))
    assert purge_expired_records()["rollbacks"] == 1
    record.refresh_from_db()
    assert record.root_cause == services.PURGED


def test_legal_hold_doors_and_refusals(client, requester, peer, peer2, admin_user, auditor, frozen):
    change = life.filed(requester)
    api = client_for(admin_user)
    url = f"/api/audit/changes/{change.pk}/legal-hold/"
    assert post_json(api, url, {"hold": True}).status_code == 400  # reason missing
    assert "reason" in post_json(api, url, {"hold": True, "reason": ""}).json()
    assert post_json(client_for(auditor), url, {"hold": True, "reason": "x"}).status_code == 403
    assert post_json(client_for(requester), url, {"hold": True, "reason": "x"}).status_code == 403
    assert not LedgerEntry.objects.filter(action__startswith="change.legal_hold").exists()
    held = post_json(api, url, {"hold": True, "reason": "Subpoena"})
    assert held.status_code == 200 and held.json()["legal_hold"] is True
    assert post_json(api, url, {"hold": True, "reason": "again"}).status_code == 409

    client.force_login(admin_user)
    page = client.get(reverse("audit:change-history", args=[change.pk]))
    assert b"Under legal hold" in page.content and b"Release the legal hold" in page.content
    answer = client.post(reverse("audit:legal-hold", args=[change.pk]), {"hold": "release", "reason": "Done"})
    assert answer.status_code == 302
    assert not ChangeRequest.objects.get(pk=change.pk).legal_hold
    assert ChangeRequest.history.filter(id=change.pk, legal_hold=True).exists()  # row history keeps it

    admin_user.is_staff = True
    admin_user.save()
    client.force_login(admin_user)
    admin_url = reverse("admin:changes_changerequest_changelist")
    ask = client.post(admin_url, {"action": "legal_hold_place", "_selected_action": [change.pk]})
    assert ask.status_code == 200 and b"Reason" in ask.content
    done = client.post(admin_url, {"action": "legal_hold_place", "_selected_action": [change.pk], "apply": "1",
                                   "reason": "From the admin"})
    assert done.status_code == 302 and ChangeRequest.objects.get(pk=change.pk).legal_hold
