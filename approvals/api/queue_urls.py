"""API routes of the approval queue, delegation and emergency changes (included at /api/)."""
from django.urls import path

from approvals.api.emergency_views import AuthorizationView, PaperworkListView, RootCauseView
from approvals.api.queue_views import DelegationRevokeView, DelegationView, MySlotsView

urlpatterns = [
    path("approvals/mine/", MySlotsView.as_view(), name="api-approvals-mine"),
    path("approvals/delegations/", DelegationView.as_view(), name="api-approvals-delegate"),
    path("approvals/delegations/<int:delegation_id>/revoke/", DelegationRevokeView.as_view(),
         name="api-approvals-delegation-revoke"),
    path("approvals/emergency/", PaperworkListView.as_view(), name="api-emergency-paperwork"),
    path("approvals/emergency/<int:change_id>/authorizations/", AuthorizationView.as_view(),
         name="api-emergency-authorize"),
    path("approvals/emergency/<int:change_id>/root-cause/", RootCauseView.as_view(), name="api-emergency-root-cause"),
]
