"""Policy is data: an administrator changes a number and the rules follow, with an audit entry."""
from datetime import datetime

import pytest
from django.core.exceptions import ValidationError

from changemgmt import policy, policy_services
from changemgmt.errors import GateRefused
from changemgmt.models import LedgerEntry, PolicySetting
from changemgmt.policy_defaults import DEFAULTS
from changes import services
from tests.support import factories as f
from tests.support import lifecycle as life


@pytest.mark.django_db
def test_every_default_is_loaded_into_editable_rows():
    assert set(PolicySetting.objects.values_list("key", flat=True)) >= set(DEFAULTS)
    assert policy.get("monitoring_minutes")["low"] == 30


def test_lead_time_edit_changes_the_submit_gate_and_is_audited(frozen, requester, admin_user):
    frozen.move_to(datetime(2026, 11, 30, 18, 0, tzinfo=f.NY))  # 12 h before the planned start
    change = life.filed(requester)
    with pytest.raises(GateRefused):
        services.run_transition(change_id=change.pk, name="submit", actor=requester)
    lead = policy.get("lead_time_hours")
    policy_services.update_setting(key="lead_time_hours", value={**lead, "normal": {**lead["normal"], "low": 8}},
                          actor=admin_user)
    assert services.run_transition(change_id=change.pk, name="submit", actor=requester).state == "assessment"
    entry = LedgerEntry.objects.get(action="policy.updated")
    assert entry.actor == admin_user and entry.payload["to"]["normal"]["low"] == 8


@pytest.mark.django_db
@pytest.mark.parametrize("value, message", [
    ({"low": 30}, "exactly the keys"),
    ({"low": "soon", "medium": 120, "high": 1440, "critical": 1440}, "number"),
    ([30, 120], "table"),
])
def test_malformed_policy_edit_is_refused_naming_the_key(admin_user, value, message):
    with pytest.raises(ValidationError) as error:
        policy_services.update_setting(key="monitoring_minutes", value=value, actor=admin_user)
    assert "monitoring_minutes" in str(error.value) and message in str(error.value)
    assert not LedgerEntry.objects.filter(action="policy.updated").exists()
