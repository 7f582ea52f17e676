"""Supplier API reads: every query of a supplier's rows takes ``supplier_id`` as a required
keyword argument, so an unscoped read of tenant data cannot be written by accident."""
from django.db.models import F, OuterRef, QuerySet, Subquery

from commerce.models import Category, Product, ProductImage
from verso.db import child_rows, decoded
from verso.errors import NotFound

# --- products and categories (issue 14: products share) ----------------------------------

PRODUCT_LIST_VALUES = [
    "id", "name", "sku", "type", "price", "unit", "stock_qty", "low_stock_threshold", "is_active",
    "approval_status", "category_id",
]
PRODUCT_DETAIL_VALUES = PRODUCT_LIST_VALUES + [
    "description", "min_order_qty", "color", "stem_length", "country_of_origin", "vat_rate", "rejection_reason",
    "created_at", "updated_at",
]
PRODUCT_IMAGE_VALUES = ["id", "image", "thumbnail", "is_primary", "position"]


def _live_products(*, supplier_id: int) -> QuerySet:
    return Product.objects.filter(supplier_id=supplier_id, deleted_at__isnull=True)


def product_list(*, supplier_id: int) -> QuerySet:
    """The supplier's live products, newest first, as ``.values()`` rows with the category's
    name (a join) and the primary image's file name (a subquery): one query per page."""
    primary = ProductImage.objects.filter(product_id=OuterRef("pk"), is_primary=True).values("image")[:1]
    return (
        _live_products(supplier_id=supplier_id)
        .values(*PRODUCT_LIST_VALUES, category_name=F("category__name"), primary_image_name=Subquery(primary))
        .order_by("-created_at", "-id")
    )


def product_get(*, supplier_id: int, product_id: int) -> Product:
    """One of the supplier's live products; another supplier's is not found, like a missing one."""
    product = _live_products(supplier_id=supplier_id).filter(pk=product_id).first()
    if product is None:
        raise NotFound("Product not found")
    return product


def product_detail(*, supplier_id: int, product_id: int) -> dict:
    """A product's detail row in one query: its images ride along as a JSON array
    (``image_rows``, in their display order)."""
    row = (
        _live_products(supplier_id=supplier_id)
        .filter(pk=product_id)
        .values(
            *PRODUCT_DETAIL_VALUES, category_name=F("category__name"),
            image_rows=child_rows(ProductImage.objects, parent_field="product_id", fields=PRODUCT_IMAGE_VALUES),
        )
        .first()
    )
    if row is None:
        raise NotFound("Product not found")
    row["image_rows"] = sorted(decoded(row["image_rows"]), key=lambda image: (image["position"], image["id"]))
    return row


def category_list() -> QuerySet:
    """Active categories, flat, as ``.values()`` rows. The catalogue's categories are shared by
    every supplier (no tenant data), so this read alone takes no supplier."""
    return Category.objects.filter(is_active=True).values("id", "name", "slug", "parent_id", "type").order_by(
        "name", "id"
    )
