"""API routes of the audit workspace (included at /api/)."""
from django.urls import path

from audit.api.views import AuditViewSet, LegalHoldViewSet

urlpatterns = [
    path("audit/ledger/", AuditViewSet.as_view({"get": "ledger"}), name="api-audit-ledger"),
    path("audit/population/", AuditViewSet.as_view({"get": "population"}), name="api-audit-population"),
    path("audit/exceptions/", AuditViewSet.as_view({"get": "exceptions"}), name="api-audit-exceptions"),
    path("audit/tombstones/", AuditViewSet.as_view({"get": "tombstones"}), name="api-audit-tombstones"),
    path("audit/changes/<int:change_id>/evidence/", AuditViewSet.as_view({"get": "evidence"}),
         name="api-audit-evidence"),
    path("audit/changes/<int:change_id>/legal-hold/", LegalHoldViewSet.as_view({"post": "update_hold"}),
         name="api-audit-legal-hold"),
]
