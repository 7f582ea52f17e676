"""Staff API routes for crm (no trailing slashes, as in the contract)."""
from django.urls import path

from .views import LeadViewSet

urlpatterns = [
    path("leads", LeadViewSet.as_view({"get": "list", "post": "create"}), name="api-leads"),
    path("leads/<id:pk>", LeadViewSet.as_view({"get": "retrieve", "patch": "partial_update"}), name="api-lead"),
]
