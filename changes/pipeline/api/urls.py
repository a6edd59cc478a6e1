"""API routes of the pipeline gate (included by changemgmt.api.urls)."""
from django.urls import path

from changes.pipeline.api import views

urlpatterns = [
    path("pipeline/gate/", views.GateView.as_view(), name="api-pipeline-gate"),
    path("pipeline/deployments/", views.DeploymentReportView.as_view(), name="api-pipeline-deployments"),
    path("pipeline/changes/", views.OpenChangeView.as_view(), name="api-pipeline-open-change"),
    path("pipeline/changes/<int:pk>/several-artefacts/", views.AllowanceView.as_view(),
         name="api-pipeline-several-artefacts"),
]
