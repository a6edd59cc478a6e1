"""Approval page URLs: what the change page posts a decision to, and the approvals area's pages.
The emergency pages under /approvals/emergency/ are changes.emergency.urls (included by the site)."""
from django.urls import include, path

from approvals import roster_pages, views

app_name = "approvals"
urlpatterns = [
    path("<int:slot_id>/decide/", views.decide, name="decide"),
    path("email/<str:token>/", views.email_decision, name="email-decision"),
    path("on-call/", roster_pages.roster, name="on-call"),
    path("on-call/<int:pk>/", roster_pages.roster, name="on-call-edit"),
    path("on-call/<int:pk>/delete/", roster_pages.remove, name="on-call-delete"),
    path("", include("approvals.queue_urls")),
]
