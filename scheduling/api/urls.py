"""Staff API routes for scheduling (no trailing slashes, as in the contract)."""
from django.urls import path

from .views import AppointmentViewSet

urlpatterns = [
    path(
        "appointments", AppointmentViewSet.as_view({"get": "list", "post": "create"}), name="api-appointments"
    ),
    path(
        "appointments/<id:pk>",
        AppointmentViewSet.as_view({"get": "retrieve", "patch": "partial_update"}),
        name="api-appointment",
    ),
]
