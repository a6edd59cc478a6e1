"""API routes of the review follow-ups (included at /api/)."""
from django.urls import path

from changes.review.api.views import ReviewFollowUpViewSet

urlpatterns = [
    path("changes/<int:change_id>/review-follow-ups/", ReviewFollowUpViewSet.as_view({"get": "list"}),
         name="api-review-follow-ups"),
    path("review-follow-ups/<int:follow_up_id>/answer/", ReviewFollowUpViewSet.as_view({"post": "answer"}),
         name="api-review-follow-up-answer"),
]
