"""CAB API routes (under /api/): each path maps HTTP methods onto one viewset's methods (cab.api.views)."""
from django.urls import path
from rest_framework.routers import SimpleRouter

from cab.api.board import BoardViewSet
from cab.api.views import ActionItemViewSet, AgendaItemViewSet, MeetingViewSet

router = SimpleRouter()
router.register("cab/board", BoardViewSet, basename="api-cab-board")

urlpatterns = [
    path("cab/meetings/", MeetingViewSet.as_view({"get": "list"}), name="cab-meetings"),
    path("cab/meetings/emergency/", MeetingViewSet.as_view({"post": "emergency"}), name="cab-emergency"),
    path("cab/meetings/<int:pk>/", MeetingViewSet.as_view({"get": "retrieve"}), name="cab-meeting"),
    path("cab/meetings/<int:pk>/attendance/", MeetingViewSet.as_view({"post": "attendance"}), name="cab-attendance"),
    path("cab/meetings/<int:pk>/minutes/", MeetingViewSet.as_view({"get": "minutes", "put": "update_notes"}),
         name="cab-minutes"),
    path("cab/meetings/<int:pk>/items/", MeetingViewSet.as_view({"post": "add_item"}), name="cab-add-item"),
    path("cab/meetings/<int:pk>/reorder/", MeetingViewSet.as_view({"post": "reorder"}), name="cab-reorder"),
    path("cab/meetings/<int:pk>/<str:action>/", MeetingViewSet.as_view({"post": "step"}),
         name="cab-meeting-transition"),
    path("cab/items/<int:pk>/", AgendaItemViewSet.as_view({"get": "retrieve", "delete": "destroy"}), name="cab-item"),
    path("cab/items/<int:pk>/votes/", AgendaItemViewSet.as_view({"post": "cast_vote"}), name="cab-votes"),
    path("cab/items/<int:pk>/votes/mine/", AgendaItemViewSet.as_view({"put": "change_vote"}), name="cab-my-vote"),
    path("cab/items/<int:pk>/decision/", AgendaItemViewSet.as_view({"post": "decide"}), name="cab-decision"),
    path("cab/action-items/", ActionItemViewSet.as_view({"get": "list", "post": "create"}), name="cab-action-items"),
    path("cab/action-items/<int:pk>/", ActionItemViewSet.as_view({"patch": "partial_update"}),
         name="cab-action-item"),
    *router.urls,
]
