"""API routes of the approvals area: deciding a slot, the on-call roster."""
from django.urls import path
from rest_framework.routers import SimpleRouter

from approvals.api.oncall import ShiftViewSet
from approvals.api.views import DecideView

router = SimpleRouter()
router.register("on-call/shifts", ShiftViewSet, basename="api-oncall-shift")

urlpatterns = [
    path("approvals/<int:slot_id>/decide/", DecideView.as_view(), name="api-approval-decide"),
    *router.urls,
]
