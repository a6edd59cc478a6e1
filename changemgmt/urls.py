"""Site URLs: pages per app, the REST API under /api/, the admin, the ledger's public key.

/api/docs/ is Swagger UI from our own static files, its start-up script served separately (the
split view) so the page runs under the Content-Security-Policy without inline script."""
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from changemgmt.web.public_key import ledger_public_key

urlpatterns = [
    path("", include("changes.dashboard")),
    path("", include("changemgmt.web.urls")),
    path("inbox/", include("changemgmt.notifications.urls")),
    path("changes/", include("changes.collaboration.urls")),
    path("changes/", include("changes.lists.urls")),
    path("changes/", include("changes.urls")),
    path("calendar/", include("changes.calendar.urls")),
    path("approvals/emergency/", include("changes.emergency.urls")),
    path("approvals/", include("approvals.urls")),
    path("cab/", include("cab.urls")),
    path("audit/", include("audit.urls")),
    path("policy/", include("changes.policypack.urls")),
    path("metrics/", include("metrics.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api/swagger_ui.html"),
         name="api-docs"),
    path(".well-known/changemgmt-ledger-key.pem", ledger_public_key, name="ledger-public-key"),
    path("api/", include("changemgmt.api.urls")),
    path("admin/", admin.site.urls),
]
