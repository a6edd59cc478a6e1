"""Site URLs: pages per app, the REST API under /api/, the admin."""
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("", include("changemgmt.web.urls")),
    path("inbox/", include("changemgmt.notifications_urls")),
    path("changes/", include("changes.urls")),
    path("calendar/", include("changes.calendar_urls")),
    path("approvals/", include("approvals.urls")),
    path("cab/", include("cab.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", include("changemgmt.api.urls")),
    path("admin/", admin.site.urls),
]
