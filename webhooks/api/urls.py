"""Staff API routes for webhooks (no trailing slashes, as in the contract)."""
from django.urls import path

from .views import WebhookDeliveryListView, WebhookDetailView, WebhookListView, WebhookTestView

urlpatterns = [
    path("webhooks", WebhookListView.as_view(), name="api-webhooks"),
    path("webhooks/<id:pk>", WebhookDetailView.as_view(), name="api-webhook"),
    path("webhooks/<id:pk>/deliveries", WebhookDeliveryListView.as_view(), name="api-webhook-deliveries"),
    path("webhooks/<id:pk>/test", WebhookTestView.as_view(), name="api-webhook-test"),
]
