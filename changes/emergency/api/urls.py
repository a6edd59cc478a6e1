"""API routes of emergency changes (included at /api/, under their addresses from before they moved
out of approvals), mapped onto viewset methods so every URL and URL name stays what clients know."""
from django.urls import path

from changes.emergency.api.views import EmergencyChangeViewSet, PaperworkViewSet

urlpatterns = [
    path("approvals/emergency/", PaperworkViewSet.as_view({"get": "paperwork"}), name="api-emergency-paperwork"),
    path("approvals/emergency/<int:change_id>/authorizations/", EmergencyChangeViewSet.as_view({"post": "authorize"}),
         name="api-emergency-authorize"),
    path("approvals/emergency/<int:change_id>/root-cause/", EmergencyChangeViewSet.as_view({"post": "root_cause"}),
         name="api-emergency-root-cause"),
]
