"""After an emergency deployment a 24-hour clock requires documentation, post-hoc approval by the
matrix and a root-cause analysis; reminders before the deadline, escalation at breach (each sent
once), an overdue list with the emergency change rate, high/critical flagged for CAB [POLICY §7]."""
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework.test import APIClient

from changemgmt.errors import Conflict
from changemgmt.models import LedgerEntry, Notification
from changes.emergency.models import AuthorizationRequest, EmergencyReview, EmergencyStep
from changes.emergency.services import confirmation as emergency_confirmation
from changes.emergency.services import paperwork as emergency_paperwork
from tests.support import factories as f
from tests.support import lifecycle as life
from tests.support.emergency import deploy, deployed_emergency, emergency_change


def kinds(user):
    return list(Notification.objects.filter(user=user).order_by("id").values_list("kind", flat=True))


def test_deployment_opens_a_24_hour_clock_with_post_hoc_approvals(frozen, author, cto):
    change = deployed_emergency(author, cto)
    review = change.emergency_review
    assert review.due_at == change.deployed_at + timedelta(hours=24)
    assert review.documentation_complete and not review.approvals_complete and not review.root_cause_recorded
    roles = set(change.approval_slots.values_list("role", flat=True))
    assert {"peer", "manager", "security", "cab"} <= roles  # high risk: the matrix, after the fact
    assert review.cab_review is True  # high: on the next CAB agenda
    assert LedgerEntry.objects.filter(action="emergency.paperwork_opened").exists()


def test_a_low_risk_emergency_is_not_flagged_for_cab(frozen, author, cto):
    assert deployed_emergency(author, cto, risk=f.LOW_RISK).emergency_review.cab_review is False


def test_normal_changes_have_no_paperwork_clock(frozen, requester, peer, peer2, operations):
    change = life.deployed(requester, [peer, peer2, operations], frozen)
    assert not EmergencyReview.objects.filter(change=change).exists()


def test_reminders_then_escalation_each_sent_once(frozen, author, boss, cto):
    change = deployed_emergency(author, cto)
    start = change.deployed_at
    frozen.move_to(start + timedelta(hours=12, minutes=1))
    assert emergency_paperwork.sweep() == 1
    assert emergency_paperwork.sweep() == 0  # a second run sends nothing twice
    assert kinds(author) == ["emergency_reminder"]
    frozen.move_to(start + timedelta(hours=25))  # the worker was down: both missed steps go out now
    assert emergency_paperwork.sweep() == 2
    assert kinds(author) == ["emergency_reminder", "emergency_reminder"]
    assert "emergency_escalation" in kinds(boss) and "emergency_escalation" in kinds(cto)
    assert set(EmergencyStep.objects.values_list("step", flat=True)) == {"remind_12h", "remind_20h", "escalate"}
    assert emergency_paperwork.sweep() == 0


def test_a_catch_up_after_an_outage_sends_the_latest_reminder_only(frozen, author, boss, cto):
    change = deployed_emergency(author, cto)
    frozen.move_to(change.deployed_at + timedelta(hours=21))  # the worker was down past both reminders
    assert emergency_paperwork.sweep() == 2
    reminders = Notification.objects.filter(user=author, kind="emergency_reminder")
    assert reminders.count() == 1  # one mail, not the 12 h and the 20 h one in the same second
    steps = dict(EmergencyStep.objects.values_list("step", "recipients"))
    assert steps["remind_12h"] == [] and steps["remind_20h"] == [author.username]
    assert emergency_paperwork.sweep() == 0 and reminders.count() == 1


def test_completed_paperwork_stops_the_clock(frozen, author, cto, peer, peer2, manager, security, cab_chair):
    # Medium risk: no CAB slot (a CAB slot is the board's, decided in a meeting: tests/cab/test_cab_authority.py).
    change = deployed_emergency(author, cto, risk=f.MEDIUM_RISK)
    emergency_paperwork.record_root_cause(change_id=change.pk, actor=author, text="Expired TLS certificate")
    assert EmergencyReview.objects.get(change=change).completed_at is None  # approvals still missing
    life.grant_all(change, [peer, peer2, manager, security, cab_chair, cto])
    review = EmergencyReview.objects.get(change=change)
    assert review.approvals_complete and review.completed_at is not None
    assert f.reload(change).state == "deployed"  # granting after the fact does not move the change back
    frozen.move_to(change.deployed_at + timedelta(hours=30))
    assert emergency_paperwork.sweep() == 0
    assert LedgerEntry.objects.filter(action="emergency.paperwork_complete").exists()


def test_root_cause_refusals(frozen, author, cto, auditor, requester):
    change = deployed_emergency(author, cto)
    with pytest.raises(ValidationError):
        emergency_paperwork.record_root_cause(change_id=change.pk, actor=author, text="  ")
    with pytest.raises(PermissionDenied):
        emergency_paperwork.record_root_cause(change_id=change.pk, actor=auditor, text="x")
    normal = life.filed(requester)
    with pytest.raises(Conflict):
        emergency_paperwork.record_root_cause(change_id=normal.pk, actor=requester, text="x")


def test_overdue_list_page_shows_the_rate_against_its_target(frozen, client, author, cto, requester):
    change = deployed_emergency(author, cto, title="Hotfix card payments")
    life.filed(requester)  # 1 emergency of 2 changes in 30 days: 50 %
    client.force_login(cto)
    assert "Hotfix card payments" not in client.get("/approvals/emergency/?overdue=1").content.decode()
    frozen.move_to(change.deployed_at + timedelta(hours=25))
    page = client.get("/approvals/emergency/?overdue=1").content.decode()
    assert "Hotfix card payments" in page and "overdue by 1 hour" in page and "next CAB" in page
    assert "50.0 %" in page and "above the tolerated ceiling" in page


def test_paperwork_and_authorization_over_the_api(frozen, author, cto, auditor, manager):
    change = emergency_change(author)
    api = APIClient()
    api.force_authenticate(author)
    url = f"/api/approvals/emergency/{change.pk}/authorizations/"
    bad = api.post(url, {"authorizer": "cora", "role": "boss", "how": "phone"}, format="json")
    assert bad.status_code == 400 and "role" in bad.json()
    assert api.post(url, {"authorizer": "alice-nobody", "role": "cto", "how": "phone"},
                    format="json").status_code == 400
    created = api.post(url, {"authorizer": "cora", "role": "cto", "how": "phone", "notes": "bridge call"},
                       format="json")
    assert created.status_code == 202 and created.json()["deploy_authorized"] is False  # cora must confirm
    emergency_confirmation.confirm(token=emergency_confirmation.token_for(
        AuthorizationRequest.objects.get(pk=created.json()["id"])), actor=cto)
    assert api.post(url, {"authorizer": "cora", "role": "cto", "how": "chat"}, format="json").status_code == 409
    assert api.post(url, {"authorizer": "al", "role": "manager", "how": "chat"}, format="json").status_code == 403
    api.force_authenticate(auditor)
    assert api.post(url, {"authorizer": "mia", "role": "manager", "how": "chat"}, format="json").status_code == 403
    api.force_authenticate(author)
    deploy(change, author)
    listing = api.get("/api/approvals/emergency/").json()
    assert [r["change_id"] for r in listing["results"]] == [change.pk]
    assert listing["results"][0]["cab_review"] is True and listing["rate"]["target"] == 5
    rca = api.post(f"/api/approvals/emergency/{change.pk}/root-cause/", {"root_cause": "Expired cert"},
                   format="json")
    assert rca.status_code == 200 and rca.json()["root_cause_recorded"] is True
