"""Policy as a pack (issue 11 §9): export and import the whole policy as a versioned file, with a diff
preview, all or nothing and audited, from the page, the API and manage.py; and the dry run of an edit
over open changes (more approvals, outside windows or lead time, held by a freeze), writing nothing."""
import copy
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from approvals.models import ApprovalSlot
from changemgmt import policy, policy_pack
from changemgmt.models import LedgerEntry, PolicySetting
from tests.support import lifecycle as life
from tests.support.api import client_for, post_json

pytestmark = pytest.mark.django_db


def _pack(**settings):
    return {"format": policy_pack.FORMAT, "format_version": policy_pack.FORMAT_VERSION, "settings": settings}


def _snapshot():
    return (LedgerEntry.objects.count(), dict(PolicySetting.objects.values_list("key", "value")),
            policy.current_revision(), ApprovalSlot.objects.count())


def test_export_then_import_round_trip_is_audited(admin_user, requester):
    api = client_for(admin_user)
    exported = api.get("/api/policy-pack/").json()
    assert exported["format"] == policy_pack.FORMAT and exported["format_version"] == 1
    assert exported["policy_revision"] == policy.current_revision()
    assert set(exported["settings"]) == set(policy.all_values())
    assert client_for(requester).get("/api/policy-pack/").status_code == 200  # the policy is readable

    pack = copy.deepcopy(exported)
    pack["settings"]["lead_time_hours"]["normal"]["low"] = 48
    preview = post_json(api, "/api/policy-pack/preview/", pack).json()
    assert [row["key"] for row in preview["diff"]] == ["lead_time_hours"] and preview["problems"] == []
    revision = policy.current_revision()
    answer = post_json(api, "/api/policy-pack/import/", {**pack, "expected_revision": revision})
    assert answer.status_code == 200 and answer.json()["changed"] == ["lead_time_hours"]
    assert policy.get("lead_time_hours")["normal"]["low"] == 48
    assert policy.current_revision() == revision + 1
    entry = LedgerEntry.objects.get(action="policy.imported")
    assert entry.payload["changes"][0]["key"] == "lead_time_hours" and entry.actor_name == "ada"
    assert post_json(api, "/api/policy-pack/import/", {**pack, "expected_revision": revision}).status_code == 409


def test_a_refused_value_refuses_the_whole_import(admin_user, requester):
    api = client_for(admin_user)
    before = _snapshot()
    bands = [{"min": 5, "max": 7, "level": "low"}, {"min": 9, "max": 15, "level": "high"}]  # 8 uncovered
    pack = _pack(lead_time_hours={**policy.get("lead_time_hours"), "normal": {"low": 1, "medium": 1, "high": 1,
                                                                              "critical": 1}}, risk_bands=bands)
    refused = post_json(api, "/api/policy-pack/import/", pack)
    assert refused.status_code == 400 and any(m.startswith("risk_bands") for m in refused.json()["settings"])
    preview = post_json(api, "/api/policy-pack/preview/", pack).json()
    assert preview["problems"] and preview["dry_run"] is None
    assert _snapshot() == before
    assert post_json(client_for(requester), "/api/policy-pack/import/", _pack(webhooks={"disable_after_days": 2})
                     ).status_code == 403
    for bad, field in [({"format": "x", "format_version": 1, "settings": {}}, "format"),
                       ({**_pack(webhooks={"disable_after_days": 2}), "format_version": 2}, "format_version"),
                       (_pack(no_such_key=1), "settings"), ([1, 2], "pack"),
                       (_pack(business_calendar={**policy.get("business_calendar"), "country": "U\u0000S"}),
                        "settings")]:
        answer = post_json(api, "/api/policy-pack/import/", bad)
        assert answer.status_code == 400 and field in answer.json(), (bad, answer.json())
    assert _snapshot() == before


def test_values_depending_on_each_other_are_judged_together(admin_user):
    matrix = {**policy.get("approval_matrix"), "medium": ["peer", "manager", "cab"]}
    alone = post_json(client_for(admin_user), "/api/policy-pack/import/", _pack(approval_matrix=matrix))
    assert alone.status_code == 400  # the CAB would be asked to approve a level its agenda does not list
    cab = {**policy.get("cab"), "review_risks": ["medium", "high", "critical"]}
    together = post_json(client_for(admin_user), "/api/policy-pack/import/", _pack(approval_matrix=matrix, cab=cab))
    assert together.status_code == 200 and sorted(together.json()["changed"]) == ["approval_matrix", "cab"]
    assert LedgerEntry.objects.filter(action="policy.imported").count() == 1


def test_dry_run_lists_more_approvals_schedule_and_holds_writing_nothing(admin_user, requester, frozen):
    change = life.in_approval(requester)
    untouched = life.in_approval(requester, title="Not affected")
    freeze_rules = copy.deepcopy(policy.get("freeze_rules"))
    freeze_rules["public_holidays"]["country"] = "PT"  # 1 December, the plan's Tuesday, is a holiday there
    pack = _pack(approval_matrix={**policy.get("approval_matrix"), "low": ["peer", "manager"]},
                 lead_time_hours={**policy.get("lead_time_hours"), "normal": {"low": 720, "medium": 720,
                                                                              "high": 720, "critical": 720}},
                 freeze_rules=freeze_rules)
    before = _snapshot()
    preview = post_json(client_for(admin_user), "/api/policy-pack/preview/", pack).json()
    assert _snapshot() == before  # a dry run writes nothing
    run = preview["dry_run"]
    assert run["open_changes"] == 2
    effect = next(e for e in run["effects"] if e["change_id"] == change.pk)
    assert effect["more_approvals"] == ["Manager"]
    assert any("lead time" in m.lower() or "hours" in m for m in effect["outside_schedule"]), effect
    assert effect["held"] and "Hard freeze" in effect["held"][0]
    assert untouched.pk in {e["change_id"] for e in run["effects"]}  # same plan, same effects

    one_edit = post_json(client_for(admin_user), "/api/policy-pack/preview/",
                         _pack(approval_matrix={**policy.get("approval_matrix"), "low": ["peer", "manager"]})).json()
    assert {e["change_id"] for e in one_edit["dry_run"]["effects"]} == {change.pk, untouched.pk}
    assert all(not e["held"] and not e["outside_schedule"] for e in one_edit["dry_run"]["effects"])


def test_page_previews_then_imports_and_refuses_others(client, admin_user, requester, auditor, frozen):
    life.in_approval(requester)
    client.force_login(requester)
    assert client.get(reverse("policypack:page")).status_code == 403
    client.force_login(auditor)
    assert client.get(reverse("policypack:page")).status_code == 403
    client.force_login(admin_user)
    assert client.get(reverse("policypack:page")).status_code == 200
    exported = client.get(reverse("policypack:export", args=["yaml"]))
    assert exported.status_code == 200 and b"format_version: 1" in exported.content

    edit = client.post(reverse("policypack:dry-run"), {
        "key": "approval_matrix", "value": json.dumps({**policy.get("approval_matrix"), "low": ["peer", "manager"]})})
    assert edit.status_code == 200 and b"Manager" in edit.content and b"Import these 1 change" in edit.content
    assert client.post(reverse("policypack:dry-run"), {"key": "approval_matrix", "value": "{"}).status_code == 400

    text = json.dumps(_pack(webhooks={"disable_after_days": 9}))
    preview = client.post(reverse("policypack:preview"), {"text": text})
    assert preview.status_code == 200 and b"webhooks" in preview.content
    revision = policy.current_revision()
    assert client.post(reverse("policypack:preview"), {"text": "not: [a pack"}).status_code == 400
    done = client.post(reverse("policypack:import"), {"text": text, "expected_revision": revision})
    assert done.status_code == 302 and policy.get("webhooks") == {"disable_after_days": 9}
    stale = client.post(reverse("policypack:import"), {"text": text, "expected_revision": revision})
    assert stale.status_code == 409


def test_manage_py_export_and_import(tmp_path, capsys):
    path = tmp_path / "pack.json"
    call_command("policy", "export", "--output", str(path))
    pack = json.loads(path.read_text())
    pack["settings"]["webhooks"] = {"disable_after_days": 7}
    path.write_text(json.dumps(pack))
    before = LedgerEntry.objects.count()
    call_command("policy", "import", str(path), "--dry-run")
    assert "webhooks" in capsys.readouterr().out and LedgerEntry.objects.count() == before
    call_command("policy", "import", str(path))
    assert policy.get("webhooks") == {"disable_after_days": 7}
    assert LedgerEntry.objects.get(action="policy.imported").actor_name == "system"
    pack["settings"]["webhooks"] = {"disable_after_days": -1}
    path.write_text(json.dumps(pack))
    with pytest.raises(CommandError, match="webhooks"):
        call_command("policy", "import", str(path))


def test_a_yaml_pack_imports_too(tmp_path):
    import yaml

    path = tmp_path / "pack.yaml"
    call_command("policy", "export", "--format", "yaml", "--output", str(path))
    pack = yaml.safe_load(path.read_text())
    assert pack["format_version"] == 1
    pack["settings"]["webhooks"] = {"disable_after_days": 11}
    path.write_text(yaml.safe_dump(pack))
    call_command("policy", "import", str(path))
    assert policy.get("webhooks") == {"disable_after_days": 11}
