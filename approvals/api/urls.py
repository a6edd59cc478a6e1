"""API routes of the approvals area (included at /api/): deciding a slot, my queue, delegations, the on-call roster."""
from django.urls import path
from rest_framework.routers import SimpleRouter

from approvals.api.bulk import GrantSelectedView
from approvals.api.oncall import ShiftViewSet
from approvals.api.views import DelegationViewSet, MySlotsViewSet, SlotViewSet

router = SimpleRouter()
router.register("on-call/shifts", ShiftViewSet, basename="api-oncall-shift")

urlpatterns = [
    path("approvals/<int:slot_id>/decide/", SlotViewSet.as_view({"post": "decide"}), name="api-approval-decide"),
    path("approvals/grant-selected/", GrantSelectedView.as_view(), name="api-approvals-grant-selected"),
    path("approvals/mine/", MySlotsViewSet.as_view({"get": "list"}), name="api-approvals-mine"),
    path("approvals/delegations/", DelegationViewSet.as_view({"post": "create"}), name="api-approvals-delegate"),
    path("approvals/delegations/<int:delegation_id>/revoke/", DelegationViewSet.as_view({"post": "revoke"}),
         name="api-approvals-delegation-revoke"),
    *router.urls,
]
