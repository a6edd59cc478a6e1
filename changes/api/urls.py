"""API routes for change requests and the service catalog."""
from django.urls import path
from rest_framework.routers import SimpleRouter

from changes.api import catalog as catalog_views
from changes.api import views
from changes.api.reschedule import RescheduleView
from changes.api.transitions import TransitionListView, transition_view
from changes.lists import api as list_views
from changes.transitions import TRANSITIONS

urlpatterns = [
    # the change list's own actions (changes.lists.api); before changes/<int:pk>/, which they never match anyway
    path("changes/saved-filters/", list_views.SavedFilterViewSet.as_view({"get": "list", "post": "create"}),
         name="api-saved-filter-list"),
    path("changes/saved-filters/<int:pk>/",
         list_views.SavedFilterViewSet.as_view({"patch": "partial_update", "delete": "destroy"}),
         name="api-saved-filter-detail"),
    path("changes/bulk/", list_views.BulkView.as_view(), name="api-change-bulk"),
    path("changes/export.csv", list_views.ExportView.as_view(), name="api-change-export"),
    path("changes/", views.ChangeViewSet.as_view({"get": "list", "post": "create"}), name="api-change-list"),
    path("changes/<int:pk>/", views.ChangeViewSet.as_view({"get": "retrieve", "patch": "partial_update"}),
         name="api-change-detail"),
    path("changes/by-external/<str:source>/<str:key>/",
         views.ExternalReferenceView.as_view({"get": "retrieve", "put": "put"}), name="api-change-by-external"),
    path("changes/<int:pk>/risk/", views.RiskView.as_view({"put": "score", "post": "score"}), name="api-change-risk"),
    path("changes/<int:pk>/test-evidence/", views.TestEvidenceView.as_view({"post": "create"}),
         name="api-change-test-evidence"),
    path("changes/<int:pk>/approvals/", views.ApprovalSlotsView.as_view({"get": "slots"}),
         name="api-change-approvals"),
    path("changes/<int:pk>/history/", views.HistoryView.as_view({"get": "entries"}), name="api-change-history"),
    path("changes/<int:pk>/transitions/", TransitionListView.as_view(), name="api-change-transitions"),
    path("changes/<int:pk>/reschedule/", RescheduleView.as_view(), name="api-change-reschedule"),
    *[path(f"changes/<int:pk>/transitions/{name}/", transition_view(name).as_view(),
           name=f"api-change-transition-{name}") for name in TRANSITIONS],
]

catalog = SimpleRouter()
catalog.register("services", catalog_views.ServiceViewSet, basename="api-service")
catalog.register("configuration-items", catalog_views.ConfigurationItemViewSet, basename="api-configuration-item")
catalog.register("catalog", catalog_views.StandardTemplateViewSet, basename="api-catalog-template")
urlpatterns += catalog.urls
