"""API routes of the change calendar and your feed secret (included at /api/)."""
from django.urls import path
from rest_framework.routers import SimpleRouter

from changes.calendar.api import views
from changes.calendar.api.feed_secrets import FeedSecretViewSet

router = SimpleRouter()
router.register("calendar/feed-secrets", FeedSecretViewSet, basename="api-calendar-feed-secret")

urlpatterns = [
    path("calendar/windows/", views.WindowListView.as_view(), name="api-calendar-windows"),
    path("calendar/windows/<int:pk>/", views.WindowDetailView.as_view(), name="api-calendar-window"),
    path("calendar/freezes/", views.FreezeListView.as_view(), name="api-calendar-freezes"),
    path("calendar/freezes/preview/", views.FreezePreviewView.as_view(), name="api-calendar-freeze-preview"),
    path("calendar/freezes/<int:pk>/", views.FreezeDetailView.as_view(), name="api-calendar-freeze"),
    path("calendar/freezes/<int:pk>/lift/", views.FreezeLiftView.as_view(), name="api-calendar-freeze-lift"),
    path("calendar/events/", views.EventsView.as_view(), name="api-calendar-events"),
    path("changes/<int:pk>/conflicts/", views.ChangeConflictsView.as_view(), name="api-change-conflicts"),
    path("changes/<int:pk>/next-slots/", views.NextSlotsView.as_view(), name="api-change-next-slots"),
    *router.urls,
]
