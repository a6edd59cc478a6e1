"""Pages of the approvals area: "My approvals" (decide in place) and delegations."""
from django.urls import path

from approvals import queue_pages

urlpatterns = [
    path("queue/", queue_pages.queue, name="queue"),
    path("queue/<int:slot_id>/decide/", queue_pages.decide, name="queue-decide"),
    path("queue/grant-selected/", queue_pages.bulk_grant, name="queue-bulk-grant"),
    path("delegations/<int:delegation_id>/revoke/", queue_pages.revoke_delegation, name="delegation-revoke"),
]
