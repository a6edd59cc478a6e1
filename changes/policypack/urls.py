"""The policy pack page (mounted at /policy/)."""
from django.urls import path, re_path

from changes.policypack import views

app_name = "policypack"
urlpatterns = [
    path("", views.page, name="page"),
    re_path(r"^export\.(?P<fmt>json|yaml)$", views.export, name="export"),
    path("preview/", views.preview, name="preview"),
    path("dry-run/", views.dry_run_edit, name="dry-run"),
    path("import/", views.import_pack, name="import"),
]
