"""Policy settings over the API: anyone with a role reads every key; an administrator changes one
value through policy_services.update_setting (one ledger entry, a new revision), or is refused with the
policy schema's message and nothing is written."""
import pytest

from changemgmt import policy
from changemgmt.models import LedgerEntry, PolicySetting
from changemgmt.policy_defaults import DEFAULTS
from tests.support.api import authenticated, patch_json

pytestmark = pytest.mark.django_db
MONITORING = {"low": 45, "medium": 120, "high": 1440, "critical": 1440}


def test_lists_every_key_with_value_reference_and_description(auditor):
    client = authenticated(auditor)
    rows = client.get("/api/policy/").json()
    assert [row["key"] for row in rows] == list(DEFAULTS)
    row = client.get("/api/policy/monitoring_minutes/").json()
    assert row["value"] == policy.get("monitoring_minutes") and row["reference"].startswith("POLICY §4")
    assert row["description"] == DEFAULTS["monitoring_minutes"][2]
    assert client.get("/api/policy/no_such_key/").status_code == 404


@pytest.mark.parametrize("method", ["put", "patch"])
def test_an_administrator_changes_a_value_with_one_ledger_entry(admin_user, method):
    revision, entries = policy.current_revision(), LedgerEntry.objects.count()
    response = getattr(authenticated(admin_user), method)("/api/policy/monitoring_minutes/",
                                                          {"value": MONITORING}, format="json")
    assert response.status_code == 200 and response.json()["value"] == MONITORING
    assert policy.get("monitoring_minutes") == MONITORING and policy.current_revision() == revision + 1
    entry = LedgerEntry.objects.order_by("-seq").first()
    assert LedgerEntry.objects.count() == entries + 1
    assert (entry.action, entry.actor_id, entry.payload["to"]) == ("policy.updated", admin_user.pk, MONITORING)


def test_a_value_the_schema_refuses_is_answered_with_its_message(admin_user):
    entries = LedgerEntry.objects.count()
    response = patch_json(authenticated(admin_user), "/api/policy/monitoring_minutes/", {"value": "soon"})
    assert response.status_code == 400 and "monitoring_minutes" in str(response.json()["value"])
    missing = patch_json(authenticated(admin_user), "/api/policy/monitoring_minutes/", {})
    assert missing.status_code == 400 and "value" in missing.json()
    nul = patch_json(authenticated(admin_user), "/api/policy/monitoring_minutes/", {"value": {"low\x00": 1}})
    assert nul.status_code == 400 and nul.json()["value"] == ["Null characters are not allowed."]
    assert LedgerEntry.objects.count() == entries and not PolicySetting.objects.filter(key="monitoring_minutes",
                                                                                        value="soon").exists()


@pytest.mark.parametrize("persona", ["requester", "cab_chair", "auditor"])
def test_only_an_administrator_changes_the_policy(request, persona):
    entries = LedgerEntry.objects.count()
    response = patch_json(authenticated(request.getfixturevalue(persona)), "/api/policy/monitoring_minutes/",
                          {"value": MONITORING})
    assert response.status_code == 403 and "administrator" in response.json()["detail"]
    assert LedgerEntry.objects.count() == entries and policy.get("monitoring_minutes") != MONITORING
