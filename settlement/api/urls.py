"""Staff API routes for settlement (no trailing slashes, like the rest of /api/v1/)."""
from django.urls import path

from . import views

urlpatterns = [
    path("settlements", views.StatementListView.as_view(), name="staff-settlements"),
    path("settlements/<id:pk>", views.StatementDetailView.as_view(), name="staff-settlement"),
]
