"""API routes of the webhooks (included at /api/)."""
from django.urls import path

from changemgmt.webhooks.api import views

urlpatterns = [
    path("webhooks/subscriptions/", views.SubscriptionListView.as_view(), name="api-webhook-subscriptions"),
    path("webhooks/subscriptions/<int:pk>/", views.SubscriptionDetailView.as_view(), name="api-webhook-subscription"),
    path("webhooks/subscriptions/<int:pk>/rotate-secret/", views.RotateSecretView.as_view(),
         name="api-webhook-rotate-secret"),
    path("webhooks/subscriptions/<int:pk>/disable/", views.DisableView.as_view(), name="api-webhook-disable"),
    path("webhooks/subscriptions/<int:pk>/enable/", views.EnableView.as_view(), name="api-webhook-enable"),
    path("webhooks/subscriptions/<int:pk>/deliveries/", views.DeliveryListView.as_view(),
         name="api-webhook-deliveries"),
    path("webhooks/deliveries/<int:pk>/redeliver/", views.RedeliverView.as_view(), name="api-webhook-redeliver"),
]
