"""The admin's people, board and history: creating a user, setting a password, appointing and
retiring a board member go through the services; refusals are logged, not written; history is kept
for every CAB model and never holds a password or minutes' text."""
import logging

from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Permission

from cab.models import BoardMember
from changemgmt import ledger
from changemgmt.admin_base import AuditedAdmin, ReadOnlyAdmin
from changemgmt.models import LedgerEntry, PolicySetting, User
from tests.support import factories as f


def _actions() -> list[str]:
    return list(LedgerEntry.objects.values_list("action", flat=True))


def test_a_user_added_in_the_admin_is_in_the_ledger_and_the_history(admin_client):
    response = admin_client.post("/admin/changemgmt/user/add/", {
        "username": "newbie", "usable_password": "true", "password1": "a-long-Pass-2026!",
        "password2": "a-long-Pass-2026!"})

    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(username="newbie")
    assert user.check_password("a-long-Pass-2026!")
    assert _actions() == ["user.created"] and user.history.count() == 1


def test_a_password_set_in_the_admin_is_audited_without_the_secret(admin_client, requester):
    response = admin_client.post(f"/admin/changemgmt/user/{requester.pk}/password/", {
        "usable_password": "true", "password1": "another-Pass-2026!", "password2": "another-Pass-2026!"})

    assert response.status_code == 302
    requester.refresh_from_db()
    assert requester.check_password("another-Pass-2026!")
    entry = LedgerEntry.objects.get(action="user.password_set")
    assert "another" not in str(entry.payload)
    assert "password" not in {field.name for field in User.history.model._meta.fields}


def test_users_are_deactivated_never_deleted_in_the_admin(admin_client, requester):
    assert admin_client.post(f"/admin/changemgmt/user/{requester.pk}/delete/", {"post": "yes"}).status_code == 403
    assert User.objects.filter(pk=requester.pk).exists()


def test_a_board_member_is_appointed_and_retired_through_the_board_service(admin_client, cab_member):
    response = admin_client.post("/admin/cab/boardmember/add/", {"user": cab_member.pk, "seat": "operations"})
    assert response.status_code == 302, response.content.decode()[:3000]
    member = BoardMember.objects.get(user=cab_member)

    admin_client.post("/admin/cab/boardmember/", {"action": "retire_members", "_selected_action": [member.pk]})
    member.refresh_from_db()
    assert not member.active
    assert _actions() == ["cab.member_appointed", "cab.member_retired"]
    assert member.history.count() == 2


def test_a_refused_admin_write_is_logged_and_writes_nothing(client, requester, manager, caplog):
    manager.is_staff = True
    manager.save()
    client.force_login(manager)
    manager.user_permissions.add(Permission.objects.get(codename="add_team"))

    with caplog.at_level(logging.WARNING, logger="changemgmt.refusals"):
        response = client.post("/admin/changemgmt/team/add/", {"name": "Shadow"})

    assert response.status_code == 200 and b"Only an administrator" in response.content
    assert any("refused team.save by mia" in r.getMessage() for r in caplog.records), caplog.text
    assert not _actions()


def test_every_cab_model_keeps_history_and_minutes_history_keeps_no_text():
    for model in apps.get_app_config("cab").get_models():
        if not model.__name__.startswith("Historical"):
            assert hasattr(model, "history"), model
    fields = {field.name for field in apps.get_model("cab", "Minutes").history.model._meta.fields}
    assert {"notes", "body"}.isdisjoint(fields) and "body_sha256" in fields


def test_an_on_call_shift_added_in_the_admin_is_audited(frozen, admin_client, manager):
    end = f.NOW.replace(hour=23)
    response = admin_client.post("/admin/approvals/oncallshift/add/", {
        "role": "manager", "user": manager.pk, "starts_at_0": f.NOW.strftime("%Y-%m-%d"),
        "starts_at_1": "12:00:00", "ends_at_0": end.strftime("%Y-%m-%d"), "ends_at_1": "23:00:00"})
    assert response.status_code == 302
    assert _actions() == ["oncall.shift_added"]


def test_every_admin_page_is_audited_or_read_only():
    ours = {"changemgmt", "changes", "approvals", "cab", "auth"}
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label in ours:
            assert isinstance(model_admin, AuditedAdmin | ReadOnlyAdmin), model


def test_a_refused_policy_edit_shows_only_the_error_and_keeps_the_input(admin_client):
    setting = PolicySetting.objects.get(key="approval_matrix")
    response = admin_client.post(f"/admin/changemgmt/policysetting/{setting.pk}/change/",
                                 {"value": '{"low": ["peer", "nobody-role"]}'})

    assert response.status_code == 200
    page = response.content.decode()
    assert "nobody-role" in page and "changed successfully" not in page
    assert 'class="errorlist' in page
    assert PolicySetting.objects.get(pk=setting.pk).value == setting.value and not _actions()


def test_read_only_pages_without_history_still_open(admin_client):
    entry = ledger.append(actor=None, action="test.seen", subject="test:1", payload={})
    assert admin_client.get(f"/admin/changemgmt/ledgerentry/{entry.pk}/change/").status_code == 200
    assert admin_client.get(f"/admin/changemgmt/ledgerentry/{entry.pk}/history/").status_code == 200


def test_logging_in_adds_no_history_row(client, requester):
    count = requester.history.count()
    assert client.login(username=requester.username, password=f.PASSWORD)
    requester.refresh_from_db()
    assert requester.last_login is not None and requester.history.count() == count
