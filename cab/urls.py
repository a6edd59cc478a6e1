"""CAB pages."""
from django.urls import path

from cab import board_pages, views

app_name = "cab"
urlpatterns = [
    path("", views.meeting_list, name="meetings"),
    path("emergency/", views.emergency, name="emergency"),
    path("actions/", views.action_list, name="actions"),
    path("board/", board_pages.board, name="board"),
    path("board/<int:pk>/retire/", board_pages.retire, name="board-retire"),
    path("actions/<int:pk>/status/", views.action_status, name="action-status"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/minutes/", views.minutes_page, name="minutes"),
    path("meetings/<int:pk>/minutes.md", views.minutes_markdown_export, name="minutes-md"),
    path("meetings/<int:pk>/<str:action>/", views.meeting_action, name="meeting-action"),
    path("items/<int:pk>/tally/", views.item_tally, name="tally"),
    path("items/<int:pk>/vote/", views.vote, name="vote"),
    path("items/<int:pk>/decide/", views.decide, name="decide"),
    path("items/<int:pk>/<str:action>/", views.item_action, name="item-action"),
]
