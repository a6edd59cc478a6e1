"""The collaboration panel's pages, mounted under /changes/ (namespace `collaboration`)."""
from django.urls import path

from changes.collaboration import views

app_name = "collaboration"
urlpatterns = [
    path("<int:pk>/collaboration/", views.panel, name="panel"),
    path("<int:pk>/collaboration/thread/", views.thread, name="thread"),
    path("<int:pk>/comments/", views.comment, name="comment"),
    path("<int:pk>/watch/", views.watch, name="watch"),
    path("<int:pk>/unwatch/", views.unwatch, name="unwatch"),
    path("<int:pk>/attachments/", views.attach, name="attach"),
    path("<int:pk>/attachments/<int:attachment_id>/", views.download, name="download"),
]
