"""Template context every page needs: the user's roles (to show only their menu entries)."""
from changemgmt.roles import roles_of


def navigation(request):
    return {"user_roles": roles_of(getattr(request, "user", None))}
