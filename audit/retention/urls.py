"""The legal hold's page door (included by audit/urls.py, under /audit/)."""
from django.urls import path

from audit.retention import views

urlpatterns = [path("changes/<int:pk>/legal-hold/", views.legal_hold, name="legal-hold")]
