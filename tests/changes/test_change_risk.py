"""The risk scorecard of POLICY §2: bands, the critical rule, raise-only overrides."""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from changemgmt.models import LedgerEntry
from changes import services
from changes.risk import band
from tests.support import factories as f
from tests.support import lifecycle as life


@pytest.mark.django_db
@pytest.mark.parametrize("scores, level", [
    ((1, 1, 1, 1, 1), "low"), ((2, 2, 1, 1, 1), "low"), ((2, 2, 2, 1, 1), "medium"),
    ((3, 3, 2, 2, 1), "medium"), ((3, 3, 2, 2, 2), "high"), ((3, 3, 3, 3, 3), "critical"),
    ((3, 3, 3, 2, 1), "critical"),  # high total + data migration
    ((3, 3, 1, 2, 3), "critical"),  # high total + security controls affected
    ((1, 1, 3, 1, 3), "medium"),  # the critical rule raises only a high total
])
def test_bands(scores, level):
    assert band(dict(zip(["systems", "users", "data", "reversibility", "security"], scores, strict=True))) == level


def test_scoring_keeps_computed_and_final_level(frozen, requester):
    change = life.submitted(requester)
    change = services.score_risk(change_id=change.pk, actor=requester, data=f.MEDIUM_RISK)
    assert (change.risk_computed, change.risk_level, change.risk_total) == ("medium", "medium", 8)
    assert LedgerEntry.objects.filter(action="change.risk_scored").count() == 1


def test_reviewer_may_raise_with_justification(frozen, requester, peer):
    change = life.submitted(requester)
    change = services.score_risk(change_id=change.pk, actor=peer, data={
        **f.LOW_RISK, "override": "high", "override_reason": "Touches the refunds ledger"})
    assert (change.risk_computed, change.risk_level, change.risk_override_by) == ("low", "high", peer)


def test_raise_without_justification_is_refused(frozen, requester, peer):
    change = life.submitted(requester)
    with pytest.raises(ValidationError) as error:
        services.score_risk(change_id=change.pk, actor=peer, data={**f.LOW_RISK, "override": "high"})
    assert "override_reason" in error.value.message_dict


def test_override_may_never_lower_the_level(frozen, requester, peer):
    change = life.submitted(requester)
    with pytest.raises(ValidationError) as error:
        services.score_risk(change_id=change.pk, actor=peer, data={
            **f.HIGH_RISK, "override": "low", "override_reason": "Trust me"})
    assert "only be raised" in error.value.message_dict["override"][0]
    assert f.reload(change).risk_level == ""


def test_only_a_reviewer_may_override(frozen, requester):
    change = life.submitted(requester)
    with pytest.raises(PermissionDenied):
        services.score_risk(change_id=change.pk, actor=requester, data={
            **f.LOW_RISK, "override": "high", "override_reason": "Feels risky"})


@pytest.mark.parametrize("bad", [0, 4, "x", None])
def test_out_of_range_scores_are_field_errors(frozen, requester, bad):
    change = life.submitted(requester)
    with pytest.raises(ValidationError) as error:
        services.score_risk(change_id=change.pk, actor=requester, data={**f.LOW_RISK, "data": bad})
    assert list(error.value.message_dict) == ["data"]


def test_raising_risk_during_approval_adds_the_required_slots(frozen, requester, peer):
    change = life.in_approval(requester)
    assert sorted(change.approval_slots.values_list("role", flat=True)) == ["peer", "peer"]
    services.score_risk(change_id=change.pk, actor=peer, data={
        **f.LOW_RISK, "override": "high", "override_reason": "Payment path"})
    assert sorted(change.approval_slots.exclude(status="superseded").values_list("role", flat=True)) == [
        "cab", "manager", "peer", "peer", "security"]
    assert LedgerEntry.objects.filter(action="approvals.slots_synced").count() == 2
