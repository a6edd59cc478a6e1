"""API routes of the change calendar and your feed secret (included at /api/): each path maps HTTP
methods onto one viewset's methods (changes.calendar.api.views); the feed secret is a routed viewset."""
from django.urls import path
from rest_framework.routers import SimpleRouter

from changes.calendar.api.feed_secrets import FeedSecretViewSet
from changes.calendar.api.views import ChangeScheduleViewSet, EventsViewSet, FreezeViewSet, WindowViewSet

router = SimpleRouter()
router.register("calendar/feed-secrets", FeedSecretViewSet, basename="api-calendar-feed-secret")

urlpatterns = [
    path("calendar/windows/", WindowViewSet.as_view({"get": "list", "post": "create"}), name="api-calendar-windows"),
    path("calendar/windows/<int:pk>/", WindowViewSet.as_view({"get": "retrieve", "patch": "partial_update",
                                                              "delete": "destroy"}), name="api-calendar-window"),
    path("calendar/freezes/", FreezeViewSet.as_view({"get": "list", "post": "create"}), name="api-calendar-freezes"),
    path("calendar/freezes/preview/", FreezeViewSet.as_view({"post": "preview"}), name="api-calendar-freeze-preview"),
    path("calendar/freezes/<int:pk>/", FreezeViewSet.as_view({"get": "retrieve"}), name="api-calendar-freeze"),
    path("calendar/freezes/<int:pk>/lift/", FreezeViewSet.as_view({"post": "lift"}), name="api-calendar-freeze-lift"),
    path("calendar/events/", EventsViewSet.as_view({"get": "events"}), name="api-calendar-events"),
    path("changes/<int:pk>/conflicts/", ChangeScheduleViewSet.as_view({"get": "conflicts"}),
         name="api-change-conflicts"),
    path("changes/<int:pk>/next-slots/", ChangeScheduleViewSet.as_view({"get": "next_slots"}),
         name="api-change-next-slots"),
    *router.urls,
]
