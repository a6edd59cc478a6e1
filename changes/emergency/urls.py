"""Pages of emergency changes, at /approvals/emergency/ (their addresses from before they moved
out of approvals): the paperwork list, what the change page's emergency panel posts to, and the
authorizer's confirmation link."""
from django.urls import path

from changes.emergency import views

app_name = "emergency"
urlpatterns = [
    path("", views.paperwork_list, name="list"),
    path("<int:change_id>/authorize/", views.record_authorization, name="authorize"),
    path("<int:change_id>/root-cause/", views.record_root_cause, name="root-cause"),
    path("confirm/<str:token>/", views.confirm_authorization, name="confirm"),
]
