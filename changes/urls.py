"""Change request pages."""
from django.urls import include, path

from changes import views

app_name = "changes"
urlpatterns = [
    path("", views.change_list, name="list"),
    path("new/", views.change_create, name="create"),
    path("catalog/", views.catalog, name="catalog"),
    path("catalog/<int:template_id>/new/", views.create_from_template, name="create-from-template"),
    path("<int:pk>/", views.change_detail, name="detail"),
    path("<int:pk>/edit/", views.change_edit, name="edit"),
    path("<int:pk>/risk/", views.change_risk, name="risk"),
    path("<int:pk>/evidence/", views.change_evidence, name="evidence"),
    path("<int:pk>/reschedule/", views.change_reschedule, name="reschedule"),
    path("<int:pk>/transitions/<str:name>/", views.change_transition, name="transition"),
    path("", include("changes.review.urls")),
]
