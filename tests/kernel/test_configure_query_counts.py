"""Every configuration list page costs the same number of queries with 2 rows as with 20 (NetBox's
query_counts, healthchecks' assertNumQueries): deployment windows, freezes (with their services), the
on-call roster (with each shift's person), the catalog's services (with their teams), configuration
items (with their services) and templates, and the policy settings (with stored edits)."""
from datetime import time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from approvals.models import OnCallShift
from changemgmt import policy, policy_services
from changemgmt.models import Team
from changes.calendar.models import ConfigurationItem, DeploymentWindow, Freeze
from changes.models import Service, StandardTemplate
from tests.support import factories as f


def _windows(first, last):
    DeploymentWindow.objects.bulk_create([DeploymentWindow(weekday=n % 7, starts=time(n % 20), ends=time(n % 20 + 1),
                                                           risks=["low"]) for n in range(first, last)])


def _freezes(first, last):
    now = timezone.now()
    for n in range(first, last):
        freeze = Freeze.objects.create(name=f"Freeze {n}", reason="Close", starts_at=now + timedelta(days=n + 1),
                                       ends_at=now + timedelta(days=n + 2))
        freeze.services.set([f.make_service(f"svc-{n}"), f.make_service(f"svc-{n}-b")])


def _shifts(first, last):
    now = timezone.now()
    OnCallShift.objects.bulk_create([
        OnCallShift(role="manager", user=f.make_user(f"oncall{n}"), starts_at=now + timedelta(days=n),
                    ends_at=now + timedelta(days=n, hours=8)) for n in range(first, last)])


def _services(first, last):
    Service.objects.bulk_create([Service(name=f"svc-{n}", owner_team=Team.objects.create(name=f"Team {n}"))
                                 for n in range(first, last)])


def _items(first, last):
    ConfigurationItem.objects.bulk_create([ConfigurationItem(service=f.make_service(f"svc-{n}"), name=f"item-{n}")
                                           for n in range(first, last)])


def _templates(first, last):
    StandardTemplate.objects.bulk_create([StandardTemplate(
        name=f"Template {n}", description="d", category="application", implementation_plan="i", test_plan="t",
        rollback_plan="r", risk_scores=dict.fromkeys(("systems", "users", "data", "reversibility", "security"), 1))
        for n in range(first, last)])


def _policy_edits(first, last, admin):
    for n in range(first, last):
        value = policy.get("lead_time_hours")
        value = {**value, "normal": {**value["normal"], "low": 24 + n}}
        policy_services.update_setting(key="lead_time_hours", value=value, actor=admin)


PAGES = {
    "/calendar/windows/": _windows,
    "/calendar/freezes/": _freezes,
    "/approvals/on-call/": _shifts,
    "/changes/catalog/configure/services/": _services,
    "/changes/catalog/configure/items/": _items,
    "/changes/catalog/configure/templates/": _templates,
}


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return len(captured)


@pytest.mark.parametrize("url", PAGES)
def test_a_configuration_list_costs_the_same_with_2_and_20_rows(frozen, client, admin_user, url):
    client.force_login(admin_user)
    PAGES[url](0, 2)
    small = queries(client, url)
    PAGES[url](2, 20)
    assert queries(client, url) == small


def test_the_policy_settings_cost_the_same_with_2_and_20_stored_edits(frozen, client, admin_user):
    client.force_login(admin_user)
    _policy_edits(0, 2, admin_user)
    small = queries(client, "/configure/policy/")
    _policy_edits(2, 20, admin_user)
    assert queries(client, "/configure/policy/") == small
