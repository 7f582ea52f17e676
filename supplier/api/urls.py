"""Supplier API routes under /api/v1/supplier/ (the contract's table; no trailing slashes)."""
from django.urls import path

from settlement.api import supplier as settlements

from . import bulk, categories, images, orders, products

urlpatterns: list = [
    # --- products and categories (issue 14: products share) ---
    path("products", products.ProductListView.as_view(), name="supplier-products"),
    path("products/<id:pk>", products.ProductDetailView.as_view(), name="supplier-product"),
    path("products/<id:pk>/delete", products.ProductDeleteView.as_view(), name="supplier-product-delete"),
    path("categories", categories.CategoryListView.as_view(), name="supplier-categories"),
    # --- product images ---
    path("products/<id:pk>/images", images.ProductImagesView.as_view(), name="supplier-product-images"),
    path("products/<id:pk>/images/<id:image_id>/delete", images.ProductImageDeleteView.as_view(),
         name="supplier-product-image-delete"),
    path("products/<id:pk>/images/<id:image_id>/primary", images.ProductImagePrimaryView.as_view(),
         name="supplier-product-image-primary"),
    # --- orders (the id is the order group's) ---
    path("orders", orders.SupplierOrderListView.as_view(), name="supplier-orders"),
    path("orders/<id:pk>", orders.SupplierOrderDetailView.as_view(), name="supplier-order"),
    path("orders/<id:pk>/status", orders.SupplierOrderStatusView.as_view(), name="supplier-order-status"),
    # --- bulk stock and prices ---
    path("stock", bulk.SupplierBulkStockView.as_view(), name="supplier-stock"),
    path("prices", bulk.SupplierBulkPriceView.as_view(), name="supplier-prices"),
    # --- settlement statements (issued and paid only) ---
    path("settlements", settlements.SupplierStatementListView.as_view(), name="supplier-settlements"),
    path("settlements/<id:pk>", settlements.SupplierStatementDetailView.as_view(), name="supplier-settlement"),
]
