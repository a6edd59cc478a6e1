"""The service catalog's configuration pages: administrators add, edit and delete services, items
and standard templates through changes.catalog_services (ledger entries); others get 403; bad input
is a 400 naming the field with nothing written; a row still named by a freeze is not deleted."""
import pytest
from django.urls import reverse

from changemgmt.models import LedgerEntry
from changes.models import ConfigurationItem, Service, StandardTemplate
from tests.support import factories as f

pytestmark = pytest.mark.django_db
LOW = '{"systems": 1, "users": 1, "data": 1, "reversibility": 1, "security": 1}'
TEMPLATE = {"name": "Rotate a certificate", "description": "Before it expires.", "category": "infrastructure",
            "implementation_plan": "Issue, install, reload.", "test_plan": "openssl s_client.",
            "rollback_plan": "Reinstall the previous one.", "risk_scores": LOW, "active": "on"}


@pytest.mark.parametrize("kind", ["services", "items", "templates"])
def test_catalog_pages_are_for_administrators(client, admin_user, cab_chair, kind):
    client.force_login(admin_user)
    assert client.get(reverse("changes:catalog-config-kind", args=[kind])).status_code == 200
    client.force_login(cab_chair)
    assert client.get(reverse("changes:catalog-config-kind", args=[kind])).status_code == 403


def test_a_service_is_added_edited_and_deleted_audited(client, admin_user):
    client.force_login(admin_user)
    page = client.get(reverse("changes:catalog-config"))
    assert "changes, conflicts and freezes are per service" in page.content.decode()
    url = reverse("changes:catalog-config-kind", args=["services"])
    assert client.post(url, {"name": "ledger-api", "criticality": "high"}).status_code == 303
    service = Service.objects.get(name="ledger-api")
    edit = reverse("changes:catalog-config-edit", args=["services", service.pk])
    assert client.post(edit, {"name": "ledger-api", "criticality": "low"}).status_code == 303
    assert client.post(reverse("changes:catalog-config-delete", args=["services", service.pk])).status_code == 303
    assert not Service.objects.filter(name="ledger-api").exists()
    actions = sorted(LedgerEntry.objects.filter(action__startswith="catalog.service").values_list("action", flat=True))
    assert actions == ["catalog.service_changed", "catalog.service_created", "catalog.service_deleted"]


def test_an_item_and_a_template_are_added(client, admin_user):
    client.force_login(admin_user)
    service = f.make_service("ledger-api")
    items = reverse("changes:catalog-config-kind", args=["items"])
    assert client.post(items, {"service": service.pk, "name": "ledger-db"}).status_code == 303
    assert ConfigurationItem.objects.filter(name="ledger-db", service=service).exists()
    templates = reverse("changes:catalog-config-kind", args=["templates"])
    assert client.post(templates, TEMPLATE).status_code == 303
    assert StandardTemplate.objects.filter(name="Rotate a certificate", active=True).exists()
    assert LedgerEntry.objects.filter(action="catalog.standard_template_created").exists()


def test_a_template_that_does_not_score_low_is_refused_naming_the_field(client, admin_user):
    client.force_login(admin_user)
    before = (StandardTemplate.objects.count(), LedgerEntry.objects.count())
    high = '{"systems": 3, "users": 3, "data": 3, "reversibility": 3, "security": 3}'
    url = reverse("changes:catalog-config-kind", args=["templates"])
    response = client.post(url, {**TEMPLATE, "risk_scores": high})
    assert response.status_code == 400
    assert "must score low risk" in " ".join(response.context["form"].errors["risk_scores"])
    missing = client.post(reverse("changes:catalog-config-kind", args=["services"]), {"criticality": "high"})
    assert missing.status_code == 400 and missing.context["form"].errors["name"]
    assert (StandardTemplate.objects.count(), LedgerEntry.objects.count()) == before


def test_a_service_named_by_an_item_is_not_deleted(client, admin_user):
    client.force_login(admin_user)
    service = f.make_service("ledger-api")
    ConfigurationItem.objects.create(service=service, name="ledger-db")
    before = LedgerEntry.objects.count()
    response = client.post(reverse("changes:catalog-config-delete", args=["services", service.pk]), follow=True)
    assert "cannot be deleted" in response.content.decode()
    assert Service.objects.filter(pk=service.pk).exists() and LedgerEntry.objects.count() == before
