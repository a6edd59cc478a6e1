"""Inbox pages (included at /inbox/)."""
from django.urls import path

from changemgmt.notifications import views

app_name = "inbox"
urlpatterns = [
    path("", views.inbox, name="list"),
    path("unread/", views.unread, name="unread"),
    path("<int:notification_id>/open/", views.open_notification, name="open"),
    path("read-all/", views.mark_all_read, name="read-all"),
    path("preferences/", views.preferences, name="preferences"),
]
