"""Staff API routes for commerce (no trailing slashes, like the rest of /api/v1/)."""
from django.urls import path

from . import views

urlpatterns = [
    path("products", views.ProductListView.as_view(), name="staff-products"),
    path("products/<id:pk>", views.ProductDetailView.as_view(), name="staff-product"),
    path("categories", views.CategoryListView.as_view(), name="staff-categories"),
    path("categories/<id:pk>", views.CategoryDetailView.as_view(), name="staff-category"),
    path("orders", views.OrderListView.as_view(), name="staff-orders"),
    path("orders/<id:pk>", views.OrderDetailView.as_view(), name="staff-order"),
    path("orders/<id:pk>/groups/<id:group_id>", views.OrderGroupDetailView.as_view(), name="staff-order-group"),
]
