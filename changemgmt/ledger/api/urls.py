"""API routes of the ledger's Merkle tree (included at /api/)."""
from django.urls import path

from changemgmt.ledger.api import views

urlpatterns = [
    path("ledger/tree-heads/", views.TreeHeadListView.as_view(), name="api-ledger-tree-heads"),
    path("ledger/entries/<int:seq>/inclusion-proof/", views.InclusionProofView.as_view(),
         name="api-ledger-inclusion-proof"),
    path("ledger/consistency-proof/", views.ConsistencyProofView.as_view(), name="api-ledger-consistency-proof"),
]
