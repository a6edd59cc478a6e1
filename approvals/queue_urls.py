"""Pages of the approvals area: "My approvals" (decide in place) and the emergency paperwork list."""
from django.urls import path

from approvals import queue_pages

urlpatterns = [
    path("queue/", queue_pages.queue, name="queue"),
    path("queue/<int:slot_id>/decide/", queue_pages.decide, name="queue-decide"),
    path("emergency/", queue_pages.emergency_paperwork, name="emergency"),
    path("delegations/<int:delegation_id>/revoke/", queue_pages.revoke_delegation, name="delegation-revoke"),
]
