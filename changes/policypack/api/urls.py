"""API routes of the policy pack (included at /api/)."""
from django.urls import path

from changes.policypack.api.views import PolicyPackViewSet

urlpatterns = [
    path("policy-pack/", PolicyPackViewSet.as_view({"get": "export"}), name="api-policy-pack"),
    path("policy-pack/preview/", PolicyPackViewSet.as_view({"post": "preview"}), name="api-policy-pack-preview"),
    path("policy-pack/import/", PolicyPackViewSet.as_view({"post": "import_pack"}), name="api-policy-pack-import"),
]
