"""Template context every page needs: the user's roles (to show only their menu entries) and the
unread notification count (a callable, so it costs its one query only on pages that show it)."""
from changemgmt.notifications.selectors import unread_count as count
from changemgmt.roles import roles_of


def navigation(request):
    user = getattr(request, "user", None)

    def unread_count():
        return count(user)

    return {"user_roles": roles_of(user), "unread_count": unread_count}
