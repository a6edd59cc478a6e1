"""API routes of emergency changes (included at /api/, under their addresses from before they moved
out of approvals)."""
from django.urls import path

from changes.emergency.api.views import AuthorizationView, PaperworkListView, RootCauseView

urlpatterns = [
    path("approvals/emergency/", PaperworkListView.as_view(), name="api-emergency-paperwork"),
    path("approvals/emergency/<int:change_id>/authorizations/", AuthorizationView.as_view(),
         name="api-emergency-authorize"),
    path("approvals/emergency/<int:change_id>/root-cause/", RootCauseView.as_view(), name="api-emergency-root-cause"),
]
