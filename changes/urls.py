"""Change request pages."""
from django.urls import include, path

from changes import catalog_pages, views

app_name = "changes"
urlpatterns = [
    path("", views.change_list, name="list"),
    path("new/", views.change_create, name="create"),
    path("catalog/", views.catalog, name="catalog"),
    path("catalog/configure/", catalog_pages.catalog, name="catalog-config"),
    path("catalog/configure/<str:kind>/", catalog_pages.catalog, name="catalog-config-kind"),
    path("catalog/configure/<str:kind>/<int:pk>/", catalog_pages.catalog, name="catalog-config-edit"),
    path("catalog/configure/<str:kind>/<int:pk>/delete/", catalog_pages.delete, name="catalog-config-delete"),
    path("catalog/<int:template_id>/new/", views.create_from_template, name="create-from-template"),
    path("<int:pk>/", views.change_detail, name="detail"),
    path("<int:pk>/edit/", views.change_edit, name="edit"),
    path("<int:pk>/risk/", views.change_risk, name="risk"),
    path("<int:pk>/evidence/", views.change_evidence, name="evidence"),
    path("<int:pk>/reschedule/", views.change_reschedule, name="reschedule"),
    path("<int:pk>/transitions/<str:name>/", views.change_transition, name="transition"),
    path("", include("changes.review.urls")),
]
