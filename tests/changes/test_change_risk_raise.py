"""Issue 9 §2: a raised risk level stands until its raiser (or a higher role) withdraws it with a
reason; the scorecard offers no pre-selected score. Issue 9 §2/§8: a catalog change with a security
trigger ticked becomes a normal change, and a standard change's filing entry says "standard"."""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from changemgmt.models import LedgerEntry
from changes import services
from changes.choices import State
from changes.forms import RiskForm
from changes.models import StandardTemplate
from tests.support import factories as f
from tests.support import lifecycle as life
from tests.support.api import authenticated

CRITICAL = {**f.LOW_RISK, "override": "critical", "override_reason": "Touches the card vault"}


def raised(requester, peer):
    change = life.submitted(requester)
    services.score_risk(change_id=change.pk, actor=requester, data=f.LOW_RISK)
    return services.score_risk(change_id=change.pk, actor=peer, data=CRITICAL)


def test_the_authors_rescore_without_override_keeps_a_peers_raise(frozen, requester, peer):
    """Seen: the author re-scored after a peer raised it to critical, and the level fell to low."""
    change = raised(requester, peer)
    change = services.score_risk(change_id=change.pk, actor=requester, data=f.LOW_RISK)
    assert (change.risk_computed, change.risk_level, change.risk_override_by) == ("low", "critical", peer)
    assert change.risk_override_reason == "Touches the card vault"


def test_a_standing_raise_keeps_the_slots_in_approval(frozen, requester, peer):
    change = raised(requester, peer)
    change = services.run_transition(change_id=change.pk, name="assess", actor=requester)
    slots = set(change.approval_slots.filter(status="pending").values_list("role", flat=True))
    services.score_risk(change_id=change.pk, actor=requester, data=f.LOW_RISK)
    assert f.reload(change).risk_level == "critical"
    assert set(change.approval_slots.filter(status="pending").values_list("role", flat=True)) == slots


def test_only_the_raiser_or_a_higher_role_withdraws_a_raise_with_a_reason(frozen, requester, peer, peer2, manager):
    change = raised(requester, peer)
    withdraw = {**f.LOW_RISK, "withdraw_raise": True, "withdraw_reason": "The vault is not touched after all"}
    for someone in (requester, peer2):
        with pytest.raises(PermissionDenied):
            services.score_risk(change_id=change.pk, actor=someone, data=withdraw)
    with pytest.raises(ValidationError) as error:
        services.score_risk(change_id=change.pk, actor=peer, data={**withdraw, "withdraw_reason": ""})
    assert "withdraw_reason" in error.value.message_dict
    change = services.score_risk(change_id=change.pk, actor=manager, data=withdraw)
    assert (change.risk_level, change.risk_override, change.risk_override_by) == ("low", "", None)
    entry = LedgerEntry.objects.filter(action="change.risk_scored").latest("seq")
    assert entry.payload["withdrawn"] == {"level": "critical", "raised_by": "bob",
                                          "reason": "The vault is not touched after all"}


def test_the_raiser_may_withdraw_their_own_raise(frozen, requester, peer):
    change = raised(requester, peer)
    change = services.score_risk(change_id=change.pk, actor=peer, data={
        **f.LOW_RISK, "withdraw_raise": True, "withdraw_reason": "Misread the diff"})
    assert change.risk_level == "low"


def test_a_smaller_override_does_not_lower_a_standing_raise(frozen, requester, peer, peer2):
    change = raised(requester, peer)
    with pytest.raises(ValidationError) as error:
        services.score_risk(change_id=change.pk, actor=peer2, data={**f.LOW_RISK, "override": "medium",
                                                                    "override_reason": "Only medium"})
    assert "override" in error.value.message_dict
    assert f.reload(change).risk_level == "critical"


def test_withdrawing_over_the_api(frozen, requester, peer):
    change = raised(requester, peer)
    url = f"/api/changes/{change.pk}/risk/"
    body = {**f.LOW_RISK, "withdraw_raise": True, "withdraw_reason": "Misread the diff"}
    assert authenticated(requester).put(url, body, format="json").status_code == 403
    assert authenticated(requester).put(url, f.LOW_RISK, format="json").json()["risk_level"] == "critical"
    response = authenticated(peer).put(url, body, format="json")
    assert response.status_code == 200 and response.json()["risk_level"] == "low"


def test_the_scorecard_offers_no_preselected_score(frozen, client, requester):
    form = RiskForm()
    for key in f.LOW_RISK:
        assert form.fields[key].choices[0][0] == ""
    assert set(RiskForm(data={}).errors) >= set(f.LOW_RISK)
    change = life.submitted(requester)
    client.force_login(requester)
    page = client.get(f"/changes/{change.pk}/").content.decode()
    assert page.count('<option value="" selected>— choose —</option>') == 5


# Standard changes

@pytest.fixture
def template(db):
    return StandardTemplate.objects.create(
        name="Logging configuration", description="Change a log level.", category="application",
        implementation_plan="Apply the config map.", test_plan="Check the logs.", rollback_plan="Revert it.",
        risk_scores=f.LOW_RISK)


def catalog_fields(**extra):
    fields = f.complete_fields(**extra)
    for controlled in StandardTemplate.CONTROLLED_FIELDS:
        fields.pop(controlled, None)
    return fields


def test_a_standard_change_is_recorded_as_standard_when_filed(frozen, requester, template):
    change = services.create_from_template(actor=requester, template_id=template.pk, data=catalog_fields())
    entry = LedgerEntry.objects.get(action="change.created", subject=f"changes.changerequest:{change.pk}")
    assert change.change_type == "standard" and entry.payload["type"] == "standard"


def test_a_catalog_change_with_a_security_trigger_becomes_normal_and_gets_a_security_review(
        frozen, requester, template):
    """Seen: a standard change with a security trigger ticked went to testing with no slot."""
    change = services.create_from_template(actor=requester, template_id=template.pk,
                                           data=catalog_fields(security_triggers=["authn_authz"]))
    assert change.change_type == "normal" and change.template is None
    assert "security review trigger" in change.notices[0]
    services.run_transition(change_id=change.pk, name="submit", actor=requester)
    change = services.run_transition(change_id=change.pk, name="assess", actor=requester)
    assert change.state == State.APPROVAL
    assert change.approval_slots.filter(role="security", status="pending").exists()


def test_ticking_a_trigger_on_a_standard_change_makes_it_normal_over_the_api(frozen, requester, template):
    response = authenticated(requester).post("/api/changes/", {**catalog_fields(), "template": template.pk},
                                             format="json")
    assert response.status_code == 201 and response.json()["change_type"] == "standard"
    change_id = response.json()["id"]
    edited = authenticated(requester).patch(f"/api/changes/{change_id}/", {"security_triggers": ["crypto"]},
                                            format="json")
    assert edited.status_code == 200 and edited.json()["change_type"] == "normal"
    assert "security review trigger" in edited.json()["notices"][0]
    filed = authenticated(requester).post("/api/changes/", {**catalog_fields(security_triggers=["crypto"]),
                                                            "template": template.pk}, format="json")
    assert filed.status_code == 201 and filed.json()["change_type"] == "normal"


def test_the_page_offers_withdrawal_only_to_whoever_may_withdraw(frozen, client, requester, peer):
    change = raised(requester, peer)
    client.force_login(requester)
    assert 'name="withdraw_raise"' not in client.get(f"/changes/{change.pk}/").content.decode()
    client.force_login(peer)
    assert 'name="withdraw_raise"' in client.get(f"/changes/{change.pk}/").content.decode()
