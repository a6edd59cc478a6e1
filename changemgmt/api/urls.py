"""The REST API: each app contributes its routes from <app>/api/urls.py."""
from django.urls import include, path

urlpatterns = [
    path("", include("changes.api.urls")),
    path("", include("approvals.api.urls")),
    path("", include("cab.api.urls")),
]
