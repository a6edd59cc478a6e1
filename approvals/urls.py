"""Approval page URLs: the decision endpoint posted from the change page."""
from django.urls import include, path

from approvals import views

app_name = "approvals"
urlpatterns = [
    path("<int:slot_id>/decide/", views.decide, name="decide"),
    path("", include("approvals.queue_urls")),
]
