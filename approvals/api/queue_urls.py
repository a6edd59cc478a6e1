"""API routes of the approval queue and delegation (included at /api/)."""
from django.urls import path

from approvals.api.queue_views import DelegationView, MySlotsView

urlpatterns = [
    path("approvals/mine/", MySlotsView.as_view(), name="api-approvals-mine"),
    path("approvals/delegations/", DelegationView.as_view(), name="api-approvals-delegate"),
]
