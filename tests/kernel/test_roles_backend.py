"""A session's user comes with its roles and its inbox state in one query
(changemgmt.backends.RolesBackend): roles_of and the header's unread counter read no more, and a role
taken away is gone at the next request."""
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from changemgmt.backends import RolesBackend
from changemgmt.models import NotificationKind
from changemgmt.notifications import notify, selectors, services
from changemgmt.roles import Role, roles_of


def test_get_user_reads_the_roles_with_the_user(requester, admin_user):
    backend = RolesBackend()
    with CaptureQueriesContext(connection) as queries:
        user = backend.get_user(requester.pk)
        assert roles_of(user) == frozenset({Role.REQUESTER})
        assert Role.ADMINISTRATOR in roles_of(backend.get_user(admin_user.pk))
    assert len(queries) == 2  # one per get_user, none for roles_of
    assert backend.get_user(0) is None


def test_a_user_without_groups_has_no_roles(django_user_model):
    user = django_user_model.objects.create_user("nobody")
    assert roles_of(RolesBackend().get_user(user.pk)) == frozenset()


def test_force_login_and_a_removed_role_is_gone_at_the_next_request(client, requester):
    client.force_login(requester)
    assert client.get("/changes/").status_code == 200
    assert client.session["_auth_user_backend"] == "changemgmt.backends.RolesBackend"
    requester.groups.remove(Group.objects.get(name=Role.REQUESTER))
    assert client.get("/changes/").status_code in (302, 403)



def test_get_user_reads_the_inbox_state_with_the_user(requester, peer, django_user_model):
    first = notify(user=requester, kind=NotificationKind.MENTIONED, title="one")
    newest = notify(user=requester, kind=NotificationKind.MENTIONED, title="two")
    notify(user=peer, kind=NotificationKind.MENTIONED, title="not hers")
    services.mark_read(user=requester, notification_id=first.pk)
    with CaptureQueriesContext(connection) as queries:
        user = RolesBackend().get_user(requester.pk)
        assert selectors.unread_count(user) == 1
        assert selectors.inbox_version(user) == f"{newest.pk}-1"
    assert len(queries) == 1  # the counter and the version cost no query of their own
    assert selectors.inbox_version(requester) == f"{newest.pk}-1"  # read without the backend: the same
    nobody = django_user_model.objects.create_user("nobody")
    assert selectors.inbox_version(RolesBackend().get_user(nobody.pk)) == "0-0"
