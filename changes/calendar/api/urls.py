"""API routes of the change calendar (included at /api/)."""
from django.urls import path

from changes.calendar.api import views

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
]
