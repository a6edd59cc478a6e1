"""The service catalog over the API: services, configuration items and standard templates. Anyone
with a role reads; administrators write through changes.catalog_services, one ledger entry each; a
refused or bad write names the field or the rule and writes nothing."""
import pytest

from changemgmt.models import LedgerEntry
from changes.calendar.models import ConfigurationItem
from changes.models import Service, StandardTemplate
from tests.support import factories as f
from tests.support.api import authenticated, patch_json, post_json

pytestmark = pytest.mark.django_db
LOW = {"systems": 1, "users": 1, "data": 1, "reversibility": 1, "security": 1}
TEMPLATE = {"name": "Rotate TLS certificate", "description": "d", "category": "application",
            "implementation_plan": "i", "test_plan": "t", "rollback_plan": "r", "risk_scores": LOW}


def _last_entry() -> LedgerEntry:
    return LedgerEntry.objects.order_by("-seq").first()


def test_anyone_with_a_role_lists_and_reads_the_catalog(auditor):
    service = f.make_service()
    item = ConfigurationItem.objects.create(service=service, name="primary db")
    client = authenticated(auditor)
    assert [row["name"] for row in client.get("/api/services/").json()["results"]] == ["payments-api"]
    assert client.get(f"/api/configuration-items/{item.pk}/").json() == {
        "id": item.pk, "service": service.pk, "name": "primary db", "description": ""}
    assert client.get("/api/catalog/").status_code == 200


def test_an_administrator_adds_edits_and_deletes_a_service_each_in_the_ledger(admin_user):
    client = authenticated(admin_user)
    created = post_json(client, "/api/services/", {"name": "billing", "criticality": "high"})
    assert created.status_code == 201 and created.json()["criticality"] == "high"
    pk = created.json()["id"]
    assert (_last_entry().action, _last_entry().actor_id) == ("catalog.service_created", admin_user.pk)
    edited = patch_json(client, f"/api/services/{pk}/", {"description": "Invoices"})
    assert edited.status_code == 200 and Service.objects.get(pk=pk).description == "Invoices"
    assert _last_entry().payload["before"]["description"] == ""
    assert client.delete(f"/api/services/{pk}/").status_code == 204
    assert _last_entry().action == "catalog.service_deleted" and not Service.objects.filter(pk=pk).exists()


def test_configuration_items_name_their_service(admin_user):
    service = f.make_service()
    client = authenticated(admin_user)
    created = post_json(client, "/api/configuration-items/", {"service": service.pk, "name": "queue"})
    assert created.status_code == 201 and _last_entry().action == "catalog.configuration_item_created"
    before = LedgerEntry.objects.count()
    duplicate = post_json(client, "/api/configuration-items/", {"service": service.pk, "name": "queue"})
    unknown = post_json(client, "/api/configuration-items/", {"service": 999_999, "name": "other"})
    assert duplicate.status_code == 400 and unknown.status_code == 400 and "service" in unknown.json()
    assert ConfigurationItem.objects.count() == 1 and LedgerEntry.objects.count() == before


def test_a_service_still_named_by_an_item_is_not_deleted(admin_user):
    service = f.make_service()
    ConfigurationItem.objects.create(service=service, name="db")
    before = LedgerEntry.objects.count()
    response = authenticated(admin_user).delete(f"/api/services/{service.pk}/")
    assert response.status_code == 400 and "configuration items" in str(response.json())
    assert Service.objects.filter(pk=service.pk).exists() and LedgerEntry.objects.count() == before


def test_a_standard_template_must_score_low(admin_user):
    client = authenticated(admin_user)
    before = LedgerEntry.objects.count()
    risky = post_json(client, "/api/catalog/", {**TEMPLATE, "risk_scores": {**LOW, "systems": 3, "data": 3}})
    assert risky.status_code == 400 and "risk_scores" in risky.json()
    assert LedgerEntry.objects.count() == before and not StandardTemplate.objects.exists()
    created = post_json(client, "/api/catalog/", TEMPLATE)
    assert created.status_code == 201 and _last_entry().action == "catalog.standard_template_created"
    retired = patch_json(client, f"/api/catalog/{created.json()['id']}/", {"active": False})
    assert retired.json()["active"] is False and _last_entry().action == "catalog.standard_template_changed"


def test_bad_input_names_the_field(admin_user):
    response = post_json(authenticated(admin_user), "/api/services/", {"criticality": "extreme"})
    assert response.status_code == 400 and {"name", "criticality"} <= set(response.json())
    assert not Service.objects.exists()


@pytest.mark.parametrize("persona", ["requester", "auditor"])
def test_only_an_administrator_writes_the_catalog(request, persona):
    service = f.make_service()
    client = authenticated(request.getfixturevalue(persona))
    before = LedgerEntry.objects.count()
    assert post_json(client, "/api/services/", {"name": "billing"}).status_code == 403
    assert patch_json(client, f"/api/services/{service.pk}/", {"name": "renamed"}).status_code == 403
    assert client.delete(f"/api/services/{service.pk}/").status_code == 403
    assert list(Service.objects.values_list("name", flat=True)) == ["payments-api"]
    assert LedgerEntry.objects.count() == before
