"""Emergency changes deploy on a verbal authorization recorded with who, when and how: in business
hours a manager and security, after hours the on-call pair, or the CTO/CISO alone [POLICY §7]."""
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from approvals.models import OnCallShift
from changemgmt.errors import Conflict, GateRefused
from changemgmt.models import LedgerEntry
from changemgmt.roles import Role
from changes.choices import State
from changes.emergency.models import EmergencyAuthorization
from changes.emergency.services import record_verbal_authorization
from tests.support import factories as f
from tests.support import lifecycle as life
from tests.support.emergency import NIGHT, authorize, deploy, emergency_change


def test_in_business_hours_manager_and_security_let_it_deploy(frozen, requester, manager, security):
    change = emergency_change(requester)
    authorize(change, requester, manager, "manager")
    with pytest.raises(GateRefused) as refusal:
        deploy(change, requester)
    assert "emergency_authorization" in {m.code for m in refusal.value.missing}
    authorize(change, requester, security, "security", how="chat")
    assert deploy(change, requester).state == State.DEPLOYED


def test_the_authorization_is_recorded_with_who_when_and_how_in_the_ledger(frozen, requester, manager):
    change = emergency_change(requester)
    row = authorize(change, requester, manager, "manager", how="in_person", notes="Called from the bridge")
    assert (row.authorizer, row.authorizer_role, row.how, row.recorded_by) == (manager, "manager", "in_person",
                                                                                 requester)
    assert row.authorized_at == f.NOW
    entry = LedgerEntry.objects.filter(action="emergency.authorized").get()
    assert entry.payload["authorizer"] == "mia" and entry.payload["business_hours"] is True


def test_after_hours_only_the_on_call_manager_and_security_may_authorize(frozen, requester, manager, security):
    frozen.move_to(NIGHT)
    change = emergency_change(requester)
    with pytest.raises(PermissionDenied, match="on-call manager"):
        authorize(change, requester, manager, "manager")
    for role, user in (("manager", manager), ("security", security)):
        OnCallShift.objects.create(role=role, user=user, starts_at=NIGHT - timedelta(hours=8),
                                   ends_at=NIGHT + timedelta(hours=8))
    authorize(change, requester, manager, "manager")
    authorize(change, requester, security, "security")
    assert deploy(change, requester).state == State.DEPLOYED


def test_when_the_on_call_pair_is_unavailable_the_cto_alone_suffices(frozen, requester, cto):
    frozen.move_to(NIGHT)
    change = emergency_change(requester)
    authorize(change, requester, cto, "cto")
    assert deploy(change, requester).state == State.DEPLOYED


def test_the_ciso_alone_suffices(frozen, requester, db):
    ciso = f.make_user("cyd", Role.CISO, team="Security")
    change = emergency_change(requester)
    authorize(change, requester, ciso, "ciso")
    assert deploy(change, requester).state == State.DEPLOYED


def test_the_author_may_not_authorize_their_own_emergency(frozen, db):
    boss = f.make_user("eve", Role.REQUESTER, Role.MANAGER, team="Payments")
    change = emergency_change(boss)
    with pytest.raises(PermissionDenied, match="author or owner"):
        authorize(change, boss, boss, "manager")
    assert not EmergencyAuthorization.objects.exists()


def test_the_authorizer_must_hold_the_role(frozen, requester, peer):
    change = emergency_change(requester)
    with pytest.raises(PermissionDenied, match="does not hold the manager role"):
        authorize(change, requester, peer, "manager")


def test_a_role_is_authorized_once_and_a_person_once(frozen, requester, manager):
    both = f.make_user("max", Role.MANAGER, Role.SECURITY, team="Platform")
    change = emergency_change(requester)
    authorize(change, requester, both, "manager")
    with pytest.raises(Conflict, match="already recorded"):
        authorize(change, requester, manager, "manager")
    with pytest.raises(PermissionDenied, match="only once"):
        authorize(change, requester, both, "security")


def test_bad_input_is_refused_field_by_field(frozen, requester, manager):
    change = emergency_change(requester)
    with pytest.raises(ValidationError) as error:
        record_verbal_authorization(change_id=change.pk, actor=requester, authorizer_id="nobody", role="boss",
                                    how="telepathy", authorized_at=(f.NOW + timedelta(hours=1)).isoformat())
    assert set(error.value.message_dict) == {"authorizer", "role", "how", "authorized_at"}
    with pytest.raises(ValidationError, match="YYYY-MM-DD"):
        authorize(change, requester, manager, "manager", authorized_at="yesterday")


def test_only_emergency_changes_waiting_for_a_go_ahead_take_one(frozen, requester, manager):
    normal = life.submitted(requester)
    with pytest.raises(Conflict, match="Only an emergency change"):
        authorize(normal, requester, manager, "manager")


def test_auditors_and_unrelated_people_may_not_record(frozen, requester, manager, auditor, peer):
    change = emergency_change(requester)
    for actor in (auditor, peer):
        with pytest.raises(PermissionDenied):
            authorize(change, actor, manager, "manager")


def test_a_deployed_change_no_longer_takes_an_authorization(frozen, requester, cto, manager):
    change = emergency_change(requester)
    authorize(change, requester, cto, "cto")
    deploy(change, requester)
    with pytest.raises(Conflict, match="no longer waits"):
        authorize(change, requester, manager, "manager")


def test_a_normal_change_may_still_not_deploy_early(frozen, requester, cto):
    change = life.in_approval(requester)
    with pytest.raises(GateRefused) as refusal:
        deploy(change, requester)
    assert "not_tested" in {m.code for m in refusal.value.missing}
