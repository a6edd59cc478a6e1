"""The REST API: each area contributes its routes from its own urls module."""
from django.urls import include, path

urlpatterns = [
    path("", include("changes.api.urls")),
    path("", include("changes.api.calendar_urls")),
    path("", include("approvals.api.urls")),
    path("", include("approvals.api.queue_urls")),
    path("", include("cab.api.urls")),
]
