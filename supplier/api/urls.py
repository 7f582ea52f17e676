"""Supplier API routes under /api/v1/supplier/ (the contract's table; no trailing slashes)."""
from django.urls import path

from . import images

urlpatterns: list = [
    # --- product images ---
    path("products/<id:pk>/images", images.ProductImagesView.as_view(), name="supplier-product-images"),
    path("products/<id:pk>/images/<id:image_id>/delete", images.ProductImageDeleteView.as_view(),
         name="supplier-product-image-delete"),
    path("products/<id:pk>/images/<id:image_id>/primary", images.ProductImagePrimaryView.as_view(),
         name="supplier-product-image-primary"),
]
