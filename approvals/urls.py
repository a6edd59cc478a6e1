"""Approval page URLs: the decision endpoint posted from the change page."""
from django.urls import path

from approvals import views

app_name = "approvals"
urlpatterns = [
    path("<int:slot_id>/decide/", views.decide, name="decide"),
]
