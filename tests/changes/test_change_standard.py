"""The standard-change catalog: pre-approved templates skip approvals; deviating makes a normal change."""
import pytest

from changemgmt.models import LedgerEntry
from changes import services
from changes.choices import State
from changes.models import StandardTemplate
from tests.support import factories as f


@pytest.fixture
def template(db):
    return StandardTemplate.objects.create(
        name="Patch-level dependency update", description="Bump a dependency's patch version.",
        category="application", implementation_plan="Merge the bot PR; deploy via pipeline.",
        test_plan="Full unit suite.", rollback_plan="Revert the PR.",
        risk_scores={"systems": 1, "users": 1, "data": 1, "reversibility": 1, "security": 1})


def from_template(requester, template):
    fields = f.complete_fields()
    for controlled in StandardTemplate.CONTROLLED_FIELDS:
        fields.pop(controlled, None)
    return services.create_from_template(actor=requester, template_id=template.pk, data=fields)


def test_standard_change_skips_approvals(frozen, requester, template):
    change = from_template(requester, template)
    assert (change.change_type, change.risk_level) == ("standard", "low")
    services.run_transition(change_id=change.pk, name="submit", actor=requester)
    change = services.run_transition(change_id=change.pk, name="assess", actor=requester)
    assert change.state == State.TESTING
    assert change.approval_slots.count() == 0


def test_editing_a_controlled_field_makes_it_a_normal_change(frozen, requester, template):
    change = from_template(requester, template)
    saved = services.update_change(change_id=change.pk, actor=requester,
                                   data={"implementation_plan": "Also bump the major version"})
    assert saved.change.change_type == "normal" and saved.change.template is None
    assert "now a normal change" in saved.notices[0]
    assert LedgerEntry.objects.filter(action="change.converted_to_normal").exists()
    services.run_transition(change_id=change.pk, name="submit", actor=requester)
    services.score_risk(change_id=change.pk, actor=requester, data=f.LOW_RISK)
    change = services.run_transition(change_id=change.pk, name="assess", actor=requester)
    assert change.state == State.APPROVAL and change.approval_slots.count() == 2


def test_editing_a_free_field_keeps_it_standard(frozen, requester, template):
    change = from_template(requester, template)
    saved = services.update_change(change_id=change.pk, actor=requester, data={"title": "Bump requests 2.32.4"})
    assert saved.change.change_type == "standard" and saved.notices == []


def test_inactive_template_is_refused(frozen, requester, template):
    template.active = False
    template.save()
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        services.create_from_template(actor=requester, template_id=template.pk, data={})
    assert "template" in error.value.message_dict
