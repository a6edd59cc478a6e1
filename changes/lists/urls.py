"""The change list's own actions, mounted under /changes/ (namespace `lists`)."""
from django.urls import path

from changes.lists import views

app_name = "lists"
urlpatterns = [
    path("export.csv", views.export_csv, name="export"),
    path("bulk/", views.bulk, name="bulk"),
    path("saved-filters/", views.save_filter, name="save-filter"),
    path("saved-filters/<int:filter_id>/delete/", views.delete_filter, name="delete-filter"),
]
