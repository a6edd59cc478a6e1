"""API routes of the change calendar (included at /api/): each path maps HTTP methods onto one viewset's
methods (changes.calendar.api.views)."""
from django.urls import path

from changes.calendar.api.views import ChangeScheduleViewSet, EventsViewSet, FreezeViewSet, WindowViewSet

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
]
