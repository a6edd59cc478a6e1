"""API routes of the approvals area: deciding a slot."""
from django.urls import path

from approvals.api.views import DecideView

urlpatterns = [
    path("approvals/<int:slot_id>/decide/", DecideView.as_view(), name="api-approval-decide"),
]
