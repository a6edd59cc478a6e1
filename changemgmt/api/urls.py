"""The REST API: each area contributes its routes from its own urls module; any other /api/ path
answers a JSON 404 (changemgmt.api.errors.not_found), not the site's HTML page."""
from django.urls import include, path, re_path
from rest_framework.routers import SimpleRouter

from changemgmt.api.errors import not_found
from changemgmt.api.policy import PolicyViewSet
from changemgmt.api.tokens import TokenViewSet

kernel = SimpleRouter()
kernel.register("policy", PolicyViewSet, basename="api-policy")
kernel.register("tokens", TokenViewSet, basename="api-token")

urlpatterns = [
    path("", include("changes.api.urls")),
    path("", include("changes.collaboration.api.urls")),
    path("", include("changes.calendar.api.urls")),
    path("", include("approvals.api.urls")),
    path("", include("changes.emergency.api.urls")),
    path("", include("changes.review.api.urls")),
    path("", include("cab.api.urls")),
    path("", include("changes.pipeline.api.urls")),
    path("", include("changemgmt.ledger.api.urls")),
    path("", include("changemgmt.webhooks.api.urls")),
    path("", include("changemgmt.notifications.api.urls")),
    path("", include("audit.api.urls")),
    path("", include("changes.policypack.api.urls")),
    path("", include("metrics.api.urls")),
    *kernel.urls,
    re_path(r"^", not_found, name="api-not-found"),  # any rest, line breaks included
]
