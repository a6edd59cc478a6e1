"""API routes of the approval queue and delegation (included at /api/)."""
from django.urls import path

from approvals.api.queue_views import DelegationRevokeView, DelegationView, MySlotsView

urlpatterns = [
    path("approvals/mine/", MySlotsView.as_view(), name="api-approvals-mine"),
    path("approvals/delegations/", DelegationView.as_view(), name="api-approvals-delegate"),
    path("approvals/delegations/<int:delegation_id>/revoke/", DelegationRevokeView.as_view(),
         name="api-approvals-delegation-revoke"),
]
