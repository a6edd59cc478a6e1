"""The Configure hub and menu entry (the pages a user's roles may edit) and the policy settings page:
administrators edit one value through changemgmt.policy_services.update_setting (ledger entry); others get
403; a value that is not JSON or breaks the policy's rules is a 400 naming the field, nothing written."""
import json

import pytest
from django.urls import reverse

from changemgmt import policy
from changemgmt.models import LedgerEntry, PolicySetting

pytestmark = pytest.mark.django_db


def test_the_menu_has_configure_for_those_who_configure(client, cab_chair, requester):
    client.force_login(cab_chair)
    page = client.get(reverse("configure"))
    assert page.status_code == 200
    labels = [link.label for link in page.context["nav_links"]()]
    assert "Configure" in labels
    body = page.content.decode()
    assert reverse("calendar:windows") in body and reverse("configure-policy") not in body
    client.force_login(requester)
    assert client.get(reverse("configure")).status_code == 403
    assert "Configure" not in [link.label for link in client.get("/").context["nav_links"]()]


def test_the_hub_lists_every_page_for_an_administrator(client, admin_user):
    client.force_login(admin_user)
    body = client.get(reverse("configure")).content.decode()
    for name in ("calendar:windows", "calendar:freezes", "cab:board", "approvals:on-call",
                 "changes:catalog-config", "configure-policy", "policypack:page"):
        assert reverse(name) in body


def test_policy_settings_are_for_administrators(client, admin_user, cab_chair, auditor):
    client.force_login(admin_user)
    page = client.get(reverse("configure-policy-edit", args=["lead_time_hours"]))
    assert page.status_code == 200
    assert "Minimum hours from submission to planned start" in page.content.decode()
    assert reverse("policypack:page") in page.content.decode()
    for user in (cab_chair, auditor):
        client.force_login(user)
        assert client.get(reverse("configure-policy")).status_code == 403
        edit = reverse("configure-policy-edit", args=["lead_time_hours"])
        assert client.post(edit, {"value": "{}"}).status_code == 403


def test_editing_a_setting_is_audited(client, admin_user):
    client.force_login(admin_user)
    value = policy.get("lead_time_hours")
    value["normal"]["low"] = 48
    response = client.post(reverse("configure-policy-edit", args=["lead_time_hours"]), {"value": json.dumps(value)})
    assert response.status_code == 303
    assert policy.get("lead_time_hours")["normal"]["low"] == 48
    assert LedgerEntry.objects.filter(action="policy.updated", payload__key="lead_time_hours").count() == 1


def test_a_bad_value_is_refused_naming_the_field(client, admin_user):
    client.force_login(admin_user)
    before = (list(PolicySetting.objects.values_list("key", "value")), LedgerEntry.objects.count())
    url = reverse("configure-policy-edit", args=["lead_time_hours"])
    not_json = client.post(url, {"value": "{nope"})
    assert not_json.status_code == 400 and "Not valid JSON" in " ".join(not_json.context["form"].errors["value"])
    wrong_shape = client.post(url, {"value": json.dumps({"normal": 5})})
    assert wrong_shape.status_code == 400 and wrong_shape.context["form"].errors["value"]
    assert (list(PolicySetting.objects.values_list("key", "value")), LedgerEntry.objects.count()) == before
    assert client.get(reverse("configure-policy-edit", args=["no_such_key"])).status_code == 404
