"""The admin writes only through the services: every save, delete and bulk delete is in the ledger
and the row history, and a refusal is shown as an error on the form (with what was typed), with
nothing written and no "changed successfully"."""
import json

from django.contrib.auth.models import Group, Permission

from changemgmt.models import ApiToken, LedgerEntry, Team, User
from changemgmt.roles import Role
from changes.calendar.models import DeploymentWindow, Freeze
from changes.models import ChangeRequest, Service, StandardTemplate
from tests.support import factories as f

LOW = {"systems": 1, "users": 1, "data": 1, "reversibility": 1, "security": 1}


def _actions() -> list[str]:
    return list(LedgerEntry.objects.values_list("action", flat=True))


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_deleting_windows_with_delete_selected_writes_one_ledger_entry_each(admin_client):
    windows = list(DeploymentWindow.objects.order_by("pk")[:2])
    response = admin_client.post("/admin/changes/deploymentwindow/", {
        "action": "delete_selected", "_selected_action": [w.pk for w in windows], "post": "yes"}, follow=True)

    assert response.status_code == 200
    assert not DeploymentWindow.objects.filter(pk__in=[w.pk for w in windows]).exists()
    assert _actions().count("calendar.window_deleted") == 2
    assert "Deleted 2 deployment windows." in _messages(response)


def test_delete_selected_first_asks_for_confirmation_and_writes_nothing(admin_client):
    window = DeploymentWindow.objects.first()
    response = admin_client.post("/admin/changes/deploymentwindow/", {
        "action": "delete_selected", "_selected_action": [window.pk]})

    assert response.status_code == 200 and b"Are you sure" in response.content
    assert DeploymentWindow.objects.filter(pk=window.pk).exists() and not _actions()


def test_an_announced_freeze_cannot_be_deleted_or_edited_in_the_admin(frozen, admin_client, admin_user):
    freeze = Freeze.objects.create(name="Quarter end", reason="Close", kind="hard", starts_at=f.NOW,
                                   ends_at=f.PLANNED_END, created_by=admin_user)

    assert admin_client.post(f"/admin/changes/freeze/{freeze.pk}/delete/", {"post": "yes"}).status_code == 403
    response = admin_client.post("/admin/changes/freeze/", {
        "action": "delete_selected", "_selected_action": [freeze.pk], "post": "yes"})
    assert response.status_code in (200, 302)
    assert Freeze.objects.filter(pk=freeze.pk).exists() and not _actions()


def _template(**overrides) -> StandardTemplate:
    return StandardTemplate.objects.create(**{
        "name": "Docs update", "description": "Docs only", "category": "application",
        "implementation_plan": "Merge", "test_plan": "Build", "rollback_plan": "Revert", "risk_scores": LOW,
        **overrides})


def _template_form(template, **overrides) -> dict:
    return {"name": template.name, "description": template.description, "category": template.category,
            "implementation_plan": template.implementation_plan, "test_plan": template.test_plan,
            "rollback_plan": template.rollback_plan, "risk_scores": json.dumps(template.risk_scores),
            "active": "on", **overrides}


def test_editing_a_templates_implementation_plan_is_in_the_ledger_and_history(admin_client):
    template = _template()
    response = admin_client.post(f"/admin/changes/standardtemplate/{template.pk}/change/",
                                 _template_form(template, implementation_plan="Merge, then purge the CDN"))

    assert response.status_code == 302
    template.refresh_from_db()
    assert template.implementation_plan == "Merge, then purge the CDN"
    entry = LedgerEntry.objects.get(action="catalog.standard_template_changed")
    assert entry.payload["before"]["implementation_plan"] == "Merge"
    assert entry.payload["after"]["implementation_plan"] == "Merge, then purge the CDN"
    assert template.history.count() == 2  # created, changed


def test_a_refused_template_edit_keeps_the_input_and_shows_only_the_error(admin_client):
    template = _template()
    response = admin_client.post(f"/admin/changes/standardtemplate/{template.pk}/change/", _template_form(
        template, implementation_plan="Typed by hand", risk_scores='{"systems": 3, "users": 3, "data": 3, '
                                                                  '"reversibility": 3, "security": 3}'))

    assert response.status_code == 200
    page = response.content.decode()
    assert "A standard (pre-approved) template must score low risk." in page
    assert "Typed by hand" in page
    assert "changed successfully" not in page and not _messages(response)
    template.refresh_from_db()
    assert template.implementation_plan == "Merge" and not _actions() and template.history.count() == 1


def _user_form(user, **overrides) -> dict:
    return {"username": user.username, "first_name": user.first_name, "last_name": user.last_name,
            "email": user.email, "is_active": "on", "team": user.team_id or "", "manager": user.manager_id or "",
            "groups": list(user.groups.values_list("pk", flat=True)), "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00", **overrides}


def test_role_team_and_manager_changes_of_a_user_are_audited(admin_client, requester, manager):
    team = Team.objects.create(name="Payments-2")
    cab = Group.objects.get(name=Role.CAB_MEMBER)
    response = admin_client.post(f"/admin/changemgmt/user/{requester.pk}/change/", _user_form(
        requester, team=team.pk, manager=manager.pk, groups=[cab.pk]))

    assert response.status_code == 302, response.content.decode()[:3000]
    requester.refresh_from_db()
    assert (requester.team, requester.manager) == (team, manager)
    assert list(requester.groups.values_list("name", flat=True)) == [Role.CAB_MEMBER]
    entry = LedgerEntry.objects.get(action="user.changed")
    assert entry.payload["before"]["roles"] == [Role.REQUESTER]
    assert (entry.payload["after"]["team"], entry.payload["after"]["manager"],
            entry.payload["after"]["roles"]) == ("Payments-2", manager.username, [Role.CAB_MEMBER])
    latest = requester.history.latest()
    assert latest.team_id == team.pk and latest.manager_id == manager.pk


def test_making_a_user_their_own_manager_is_refused_on_the_form(admin_client, requester):
    response = admin_client.post(f"/admin/changemgmt/user/{requester.pk}/change/",
                                 _user_form(requester, manager=requester.pk, first_name="Typed"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "A user cannot be their own manager" in page and 'value="Typed"' in page
    assert "changed successfully" not in page
    requester.refresh_from_db()
    assert requester.manager is None and requester.first_name != "Typed" and not _actions()


def test_a_non_administrator_staff_member_is_refused_and_nothing_is_written(client, requester, manager):
    manager.is_staff = True
    manager.save()
    manager.user_permissions.add(Permission.objects.get(codename="change_user"))
    client.force_login(manager)
    response = client.post(f"/admin/changemgmt/user/{requester.pk}/change/",
                           _user_form(requester, manager=manager.pk))

    assert response.status_code == 200 and b"Only an administrator" in response.content
    requester.refresh_from_db()
    assert requester.manager is None and not _actions()


def test_a_teams_creation_and_deletion_are_audited(admin_client, requester):
    assert admin_client.post("/admin/changemgmt/team/add/", {"name": "Search"}).status_code == 302
    team = Team.objects.get(name="Search")
    User.objects.filter(pk=requester.pk).update(team=team)
    assert admin_client.post(f"/admin/changemgmt/team/{team.pk}/delete/", {"post": "yes"}).status_code == 302

    assert _actions() == ["team.created", "team.deleted"]
    assert LedgerEntry.objects.get(action="team.deleted").payload["members"] == [requester.username]


def _token(user) -> ApiToken:
    return ApiToken.objects.create(user=user, name="ci", prefix="abcd1234", key_hash="0" * 64)


def test_revoking_a_token_in_the_admin_is_audited_and_cannot_be_undone(frozen, admin_client, requester):
    token = _token(requester)
    form = {"name": "ci pipeline", "revoked_at_0": f.NOW.strftime("%Y-%m-%d"), "revoked_at_1": "11:00:00"}
    assert admin_client.post(f"/admin/changemgmt/apitoken/{token.pk}/change/", form).status_code == 302
    token.refresh_from_db()
    assert token.name == "ci pipeline" and token.revoked_at is not None
    assert LedgerEntry.objects.get(action="api_token.changed").payload["after"]["name"] == "ci pipeline"

    response = admin_client.post(f"/admin/changemgmt/apitoken/{token.pk}/change/",
                                 {"name": "ci", "revoked_at_0": "", "revoked_at_1": ""})
    assert response.status_code == 200 and b"A revoked token stays revoked" in response.content
    token.refresh_from_db()
    assert token.revoked_at is not None and token.history.count() == 2
    assert _actions() == ["api_token.changed"]


def test_adding_a_service_and_a_configuration_item_is_audited(admin_client):
    assert admin_client.post("/admin/changes/service/add/", {"name": "search-api", "criticality": "high",
                                                           "description": ""}).status_code == 302
    service = Service.objects.get(name="search-api")
    assert admin_client.post("/admin/changes/configurationitem/add/", {
        "service": service.pk, "name": "search-db", "description": ""}).status_code == 302

    assert _actions() == ["catalog.service_created", "catalog.configuration_item_created"]


def test_a_service_still_named_by_a_change_cannot_be_deleted(admin_client, requester):
    service = f.make_service()
    change = ChangeRequest.objects.create(title="x", requester=requester)
    change.services.add(service)
    response = admin_client.post(f"/admin/changes/service/{service.pk}/delete/", {"post": "yes"}, follow=True)

    assert any("still named by changes" in m for m in _messages(response))
    assert service in change.services.all() and not _actions()


def test_the_ledger_roles_and_change_records_are_read_only(admin_client):
    for url in ("/admin/changemgmt/ledgerentry/add/", "/admin/auth/group/add/", "/admin/changes/changerequest/add/",
                "/admin/cab/meeting/add/", "/admin/approvals/approvalslot/add/"):
        assert admin_client.get(url).status_code == 403, url
