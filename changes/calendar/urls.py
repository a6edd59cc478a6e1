"""Page URLs of the change calendar (included at /calendar/)."""
from django.urls import path

from changes.calendar import config_pages, views

app_name = "calendar"
urlpatterns = [
    path("", views.calendar_page, name="index"),
    path("changes/<int:pk>/reschedule/", views.reschedule_form, name="reschedule"),
    path("subscribe/", views.feed_settings, name="feed"),
    path("windows/", config_pages.windows, name="windows"),
    path("windows/<int:pk>/", config_pages.windows, name="window-edit"),
    path("windows/<int:pk>/delete/", config_pages.delete_window, name="window-delete"),
    path("freezes/", config_pages.freezes, name="freezes"),
    path("freezes/<int:pk>/lift/", views.lift_freeze, name="freeze-lift"),
    path("feeds/<str:secret>.ics", views.user_feed, name="user-feed"),
    path("feeds/<str:secret>/services/<int:service_id>.ics", views.service_feed, name="service-feed"),
]
