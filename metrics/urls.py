"""The metrics page, mounted at /metrics/."""
from django.urls import path

from metrics import views

app_name = "metrics"
urlpatterns = [
    path("", views.page, name="page"),
    path("metrics.csv", views.csv_download, name="csv"),
]
