"""API routes of the collaboration panel (under /api/)."""
from django.urls import path

from changes.collaboration.api.views import AttachmentViewSet, CommentViewSet, WatchViewSet

urlpatterns = [
    path("changes/<int:pk>/comments/", CommentViewSet.as_view({"get": "list", "post": "create"}),
         name="api-change-comments"),
    path("changes/<int:pk>/attachments/", AttachmentViewSet.as_view({"get": "list", "post": "create"}),
         name="api-change-attachments"),
    path("changes/<int:pk>/attachments/<int:attachment_id>/", AttachmentViewSet.as_view({"get": "download"}),
         name="api-change-attachment-download"),
    path("changes/<int:pk>/watchers/", WatchViewSet.as_view({"get": "watchers"}), name="api-change-watchers"),
    path("changes/<int:pk>/watch/", WatchViewSet.as_view({"post": "watch"}), name="api-change-watch"),
    path("changes/<int:pk>/unwatch/", WatchViewSet.as_view({"post": "unwatch"}), name="api-change-unwatch"),
]
