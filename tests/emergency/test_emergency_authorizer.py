"""An emergency authorization comes from the authorizer [issue 9 §2]: someone else who writes it down only
asks for it — the authorizer is notified with a signed, single-use, expiring link, and the authorization is
written when they confirm. `authorized_at` lies between the change's filing and now, and the business-hours
rule is judged at that time. The authorizer roles are policy data."""
from datetime import datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from changemgmt import policy_services
from changemgmt.errors import Conflict, GateRefused
from changemgmt.models import LedgerEntry, Notification
from changemgmt.roles import Role
from changes import services
from changes.choices import State
from changes.emergency.models import AuthorizationRequest, EmergencyAuthorization
from changes.emergency.services import confirmation as emergency_confirmation
from changes.emergency.services import record_verbal_authorization
from tests.support import factories as f
from tests.support import lifecycle as life
from tests.support.api import client_for, post_json

CHECKLIST = {"predeploy_checklist": life.ALL_CHECKLIST, "deployment_method": "canary"}


def emergency_change(requester):
    start = timezone.now() + timedelta(minutes=10)
    change = life.filed(requester, change_type="emergency", emergency_criterion="production_down",
                        planned_start=start.isoformat(), planned_end=(start + timedelta(hours=1)).isoformat())
    services.run_transition(change_id=change.pk, name="submit", actor=requester)
    services.score_risk(change_id=change.pk, actor=requester, data=f.HIGH_RISK)
    return f.reload(change)


def deploy(change, actor):
    return services.run_transition(change_id=change.pk, name="deploy", actor=actor, data=CHECKLIST)


def record(change, actor, authorizer, role, **extra):
    return record_verbal_authorization(change_id=change.pk, actor=actor, authorizer_id=authorizer.pk, role=role,
                                       how="phone", **extra)


def test_a_requester_recording_the_ctos_go_ahead_cannot_deploy_until_the_cto_confirms(frozen, requester, cto):
    change = emergency_change(requester)
    request = record(change, requester, cto, "cto")
    assert isinstance(request, AuthorizationRequest) and not EmergencyAuthorization.objects.exists()
    with pytest.raises(GateRefused):
        deploy(change, requester)
    [notice] = Notification.objects.filter(user=cto)
    assert "confirm your emergency authorization" in notice.title and notice.url.startswith("/approvals/emergency/")
    row = emergency_confirmation.confirm(token=emergency_confirmation.token_for(request), actor=cto)
    assert (row.authorizer, row.recorded_by) == (cto, requester)
    entry = LedgerEntry.objects.filter(action="emergency.authorized").get()
    assert entry.actor == cto and entry.payload["confirmed_by_link"] is True
    assert deploy(change, requester).state == State.DEPLOYED


def test_the_authorizer_recording_it_themselves_counts_at_once(frozen, requester, cto):
    change = emergency_change(requester)
    row = record(change, cto, cto, "cto")
    assert isinstance(row, EmergencyAuthorization) and row.recorded_by == cto
    assert deploy(change, requester).state == State.DEPLOYED


def test_only_the_authorizer_may_follow_the_link_and_it_is_single_use(frozen, requester, cto, manager, client):
    change = emergency_change(requester)
    link = emergency_confirmation.confirm_path(record(change, requester, cto, "cto"))
    client.force_login(manager)
    assert client.get(link).status_code == 403
    assert client.post(link).status_code == 403
    client.force_login(requester)
    assert client.post(link).status_code == 403
    assert not EmergencyAuthorization.objects.exists()
    client.force_login(cto)
    page = client.get(link)
    assert page.status_code == 200 and "I authorized this change" in page.content.decode()
    assert not EmergencyAuthorization.objects.exists()  # showing the link writes nothing
    assert client.post(link).status_code == 302
    assert EmergencyAuthorization.objects.count() == 1
    assert client.post(link).status_code == 409  # single use
    assert EmergencyAuthorization.objects.count() == 1


def test_a_tampered_or_expired_link_is_refused(frozen, requester, cto, client):
    change = emergency_change(requester)
    request = record(change, requester, cto, "cto")
    token = emergency_confirmation.token_for(request)
    client.force_login(cto)
    assert client.post(f"/approvals/emergency/confirm/{token[:-2]}xx/").status_code == 403
    frozen.move_to(f.NOW + timedelta(hours=25))
    assert client.post(f"/approvals/emergency/confirm/{token}/").status_code == 409
    with pytest.raises(Conflict, match="expired"):
        emergency_confirmation.confirm(token=token, actor=cto)
    assert not EmergencyAuthorization.objects.exists()


def test_recording_over_the_api_answers_202_until_the_authorizer_confirms(frozen, requester, cto):
    change = emergency_change(requester)
    url = f"/api/approvals/emergency/{change.pk}/authorizations/"
    asked = post_json(client_for(requester), url, {"authorizer": cto.username, "role": "cto", "how": "phone"})
    assert asked.status_code == 202 and asked.json()["deploy_authorized"] is False
    assert not EmergencyAuthorization.objects.exists()
    own = post_json(client_for(cto), url, {"authorizer": cto.username, "role": "cto", "how": "phone"})
    assert own.status_code == 201 and own.json()["deploy_authorized"] is True


def test_an_authorization_dated_before_the_change_was_filed_is_refused_at_every_door(frozen, requester, cto,
                                                                                      client):
    change = emergency_change(requester)
    evening_before = (f.NOW - timedelta(hours=16)).isoformat()
    with pytest.raises(ValidationError) as refused:
        record(change, cto, cto, "cto", authorized_at=evening_before)
    assert "before the change was filed" in refused.value.message_dict["authorized_at"][0]
    url = f"/api/approvals/emergency/{change.pk}/authorizations/"
    response = post_json(client_for(cto), url, {"authorizer": cto.username, "role": "cto", "how": "phone",
                                                "authorized_at": evening_before})
    assert response.status_code == 400 and "authorized_at" in response.json()
    client.force_login(cto)
    page = client.post(f"/approvals/emergency/{change.pk}/authorize/", {
        "authorizer": cto.pk, "role": "cto", "how": "phone",
        "authorized_at": (f.NOW - timedelta(hours=16)).strftime("%Y-%m-%dT%H:%M")}, HTTP_HX_REQUEST="true")
    assert page.status_code == 400 and "before the change was filed" in page.content.decode()
    assert not EmergencyAuthorization.objects.exists() and not AuthorizationRequest.objects.exists()
    assert not LedgerEntry.objects.filter(action__startswith="emergency.").exists()


def test_business_hours_are_judged_at_the_time_the_go_ahead_was_given(frozen, requester, manager):
    frozen.move_to(datetime(2026, 11, 23, 16, 40, tzinfo=f.NY))  # Monday, just before the end of business
    change = emergency_change(requester)
    frozen.move_to(datetime(2026, 11, 23, 19, 0, tzinfo=f.NY))  # written down after hours
    given = datetime(2026, 11, 23, 16, 50, tzinfo=f.NY).isoformat()
    row = record(change, manager, manager, "manager", authorized_at=given)
    assert row.authorized_at.isoformat() == given
    later = f.make_user("max", Role.SECURITY, team="Security")
    with pytest.raises(PermissionDenied, match="on-call"):
        record(change, later, later, "security")  # now, after hours, and not on call


def test_the_authorizer_roles_and_backdating_limit_are_policy(frozen, requester, cto, admin_user):
    ciso = f.make_user("cid", Role.CISO, team="Security")
    policy_services.update_setting(key="emergency_authorization", actor=admin_user,
                          value={"alone": ["cto"], "pair": ["manager", "security"], "max_backdate_hours": 1})
    change = emergency_change(requester)
    record(change, ciso, ciso, "ciso")
    with pytest.raises(GateRefused):  # the CISO alone no longer suffices
        deploy(change, requester)
    frozen.move_to(f.NOW + timedelta(hours=3))
    with pytest.raises(ValidationError, match="more than 1 hours back"):
        record(change, cto, cto, "cto", authorized_at=(f.NOW + timedelta(minutes=30)).isoformat())
