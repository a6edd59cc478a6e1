"""CAB API routes (under /api/)."""
from django.urls import path
from rest_framework.routers import SimpleRouter

from cab.api import views
from cab.api.board import BoardViewSet

router = SimpleRouter()
router.register("cab/board", BoardViewSet, basename="api-cab-board")

urlpatterns = [
    path("cab/meetings/", views.meetings, name="cab-meetings"),
    path("cab/meetings/emergency/", views.emergency, name="cab-emergency"),
    path("cab/meetings/<int:pk>/", views.meeting, name="cab-meeting"),
    path("cab/meetings/<int:pk>/attendance/", views.attendance, name="cab-attendance"),
    path("cab/meetings/<int:pk>/minutes/", views.meeting_minutes, name="cab-minutes"),
    path("cab/meetings/<int:pk>/items/", views.add_item, name="cab-add-item"),
    path("cab/meetings/<int:pk>/reorder/", views.reorder, name="cab-reorder"),
    path("cab/meetings/<int:pk>/<str:action>/", views.meeting_transition, name="cab-meeting-transition"),
    path("cab/items/<int:pk>/", views.item, name="cab-item"),
    path("cab/items/<int:pk>/votes/", views.cast_vote, name="cab-votes"),
    path("cab/items/<int:pk>/votes/mine/", views.change_vote, name="cab-my-vote"),
    path("cab/items/<int:pk>/decision/", views.decide, name="cab-decision"),
    path("cab/action-items/", views.action_items, name="cab-action-items"),
    path("cab/action-items/<int:pk>/", views.action_item, name="cab-action-item"),
    *router.urls,
]
