"""The audit workspace, mounted at /audit/."""
from django.urls import include, path

from audit import views

app_name = "audit"
urlpatterns = [
    path("", views.workspace, name="workspace"),
    path("verify/", views.verify_now, name="verify"),
    path("checkpoints/<int:pk>.json", views.checkpoint_download, name="checkpoint"),
    path("tree-heads/<int:tree_size>.json", views.tree_head_download, name="tree-head"),
    path("population.csv", views.population_csv, name="population-csv"),
    path("population.xlsx", views.population_xlsx, name="population-xlsx"),
    path("exceptions.csv", views.exceptions_csv, name="exceptions-csv"),
    path("changes/<int:pk>/", views.change_history, name="change-history"),
    path("changes/<int:pk>/evidence.zip", views.evidence_pack, name="evidence"),
    path("", include("audit.retention.urls")),
]
