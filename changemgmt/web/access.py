"""The one gate every page passes: anonymous visitors go to the login page, a signed-in account
without any role gets 403 (it may read nothing), everyone else continues to the view."""
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from changemgmt.roles import is_member

NO_ROLE = "Your account has no role in changemgmt yet. Ask an administrator to grant you one."


def member_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_member(request.user):
            raise PermissionDenied(NO_ROLE)
        return view(request, *args, **kwargs)

    return login_required(wrapper)
