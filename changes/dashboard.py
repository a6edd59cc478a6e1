"""The "My work" page at the site root: the changes waiting for my decision and my open changes.

It shows change requests, so it lives in the changes app, not in the kernel's web package. The page
is one route outside /changes/, so this module is its URLconf too (`include("changes.dashboard")`
at the root, no namespace: the page keeps its name "dashboard", which the site's menu and
LOGIN_REDIRECT_URL use)."""
from django.db.models import Q
from django.shortcuts import render
from django.urls import path

from changemgmt.web.access import member_required
from changes import rules, selectors
from changes.choices import OPEN_STATES

DASHBOARD_ROWS = 50


@member_required
def dashboard(request):
    """My open changes (as requester or owner) and the changes waiting for my decision."""
    user = request.user
    mine = list(selectors.change_rows().filter(Q(requester=user) | Q(owner=user), state__in=OPEN_STATES)
                .order_by("planned_start", "-id")[:DASHBOARD_ROWS])
    awaiting = list(selectors.awaiting_action(user).order_by("planned_start", "-id")[:DASHBOARD_ROWS])
    selectors.with_services(mine + awaiting)
    return render(request, "changes/dashboard.html", {"mine": mine, "awaiting": awaiting, "limit": DASHBOARD_ROWS,
                                                      "can_create": rules.can_create(user)})


urlpatterns = [
    path("", dashboard, name="dashboard"),
]
