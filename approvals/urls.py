"""Approval page URLs: what the change page posts to (decisions, emergency authorization and root cause)."""
from django.urls import include, path

from approvals import views

app_name = "approvals"
urlpatterns = [
    path("<int:slot_id>/decide/", views.decide, name="decide"),
    path("emergency/<int:change_id>/authorize/", views.record_authorization, name="emergency-authorize"),
    path("emergency/<int:change_id>/root-cause/", views.record_root_cause, name="emergency-root-cause"),
    path("emergency/confirm/<str:token>/", views.confirm_authorization, name="emergency-confirm"),
    path("", include("approvals.queue_urls")),
]
