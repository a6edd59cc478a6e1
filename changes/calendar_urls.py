"""Page URLs of the change calendar (included at /calendar/)."""
from django.urls import path

from changes import calendar_views

app_name = "calendar"
urlpatterns = [
    path("", calendar_views.calendar_page, name="index"),
    path("subscribe/", calendar_views.feed_settings, name="feed"),
    path("feeds/<str:secret>.ics", calendar_views.user_feed, name="user-feed"),
    path("feeds/<str:secret>/services/<int:service_id>.ics", calendar_views.service_feed, name="service-feed"),
]
