"""Pages of the review follow-ups, under a change's address (included by changes/urls.py)."""
from django.urls import path

from changes.review import views

urlpatterns = [
    path("<int:pk>/review/", views.follow_ups, name="review"),
    path("<int:pk>/review/<int:follow_up_id>/", views.answer, name="review-answer"),
]
