"""Supplier API routes under /api/v1/supplier/ (the contract's table; no trailing slashes)."""
from django.urls import path

from . import categories, products

urlpatterns: list = [
    # --- products and categories (issue 14: products share) ---
    path("products", products.ProductListView.as_view(), name="supplier-products"),
    path("products/<id:pk>", products.ProductDetailView.as_view(), name="supplier-product"),
    path("products/<id:pk>/delete", products.ProductDeleteView.as_view(), name="supplier-product-delete"),
    path("categories", categories.CategoryListView.as_view(), name="supplier-categories"),
]
