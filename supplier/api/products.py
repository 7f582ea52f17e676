"""Supplier API products: a supplier's own catalogue, read through
supplier.selectors (scoped to the key's supplier) and changed through commerce.services.

Lists render ``.values()`` rows: one SQL query per page whatever its size (the key's
lookup is cached). Prices are euros as JSON numbers (``2.5``); the database keeps cents.
"""
import django_filters
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from commerce import images, services
from commerce.api.serializers import CatalogueTypeField
from commerce.models import Category, Product, ProductImage, stock_status_of
from commerce.representations import iso
from supplier import selectors
from verso.api.fields import EuroField, InputSerializer, PercentNumberField, euros
from verso.api.pagination import page_parameters
from verso.api.query import TextFilter, filter_parameters
from verso.api.views import apply_filterset, read_body
from verso.db import MAX_BIGINT, MAX_INT

from .base import SupplierView
from .schema import supplier_ok, supplier_page_of

PAGE_PARAMS = page_parameters(default_per_page=20)
_IMAGE_STORAGE = ProductImage._meta.get_field("image").storage
_SOURCE_URL_LENGTH = ProductImage._meta.get_field("source_url").max_length


# --- input ------------------------------------------------------------------------------


class _ProductFields(InputSerializer):
    name = serializers.CharField(required=False, max_length=200)
    category_id = serializers.IntegerField(required=False, min_value=1, max_value=MAX_BIGINT)
    base_price = EuroField(required=False, help_text="Price in euros, VAT included, at most 2 decimals (2.5).")
    unit = serializers.ChoiceField(choices=Product.UNIT_CHOICES, required=False)
    type = CatalogueTypeField(required=False, help_text="flower (the default, whatever the category) or supply.")
    description = serializers.CharField(required=False, allow_blank=True)
    sku = serializers.CharField(
        required=False, allow_blank=True, max_length=64,
        help_text="Unique among your live products (another supplier may use the same SKU).",
    )
    stock_qty = serializers.IntegerField(required=False, min_value=0, max_value=MAX_INT, help_text="Default 0.")
    min_order_qty = serializers.IntegerField(required=False, min_value=1, max_value=MAX_INT, help_text="Default 1.")
    color = serializers.CharField(required=False, allow_blank=True, max_length=50)
    stem_length = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=MAX_INT, help_text="Centimetres."
    )
    country_of_origin = serializers.CharField(required=False, allow_blank=True, max_length=100)
    vat_rate = PercentNumberField(required=False, help_text="VAT rate in percent (default 21).")

    def to_service_fields(self) -> dict:
        """validated_data in commerce.services' (the model's) names: base_price is ``price`` in cents."""
        data = dict(self.validated_data)
        data.pop("image_url", None)
        if "base_price" in data:
            data["price"] = data.pop("base_price")
        return data


class SupplierProductCreateInput(_ProductFields):
    name = serializers.CharField(max_length=200)
    category_id = serializers.IntegerField(min_value=1, max_value=MAX_BIGINT)
    base_price = EuroField(help_text="Price in euros, VAT included, at most 2 decimals (2.5).")
    unit = serializers.ChoiceField(choices=Product.UNIT_CHOICES)
    image_url = serializers.CharField(
        required=False, allow_blank=True,
        max_length=ProductImage.MAX_PER_PRODUCT * (_SOURCE_URL_LENGTH + 1),
        help_text="Image URL(s), jpg, png or webp, separated by semicolons (;); at most 10 images per product.",
    )


class SupplierProductUpdateInput(_ProductFields):
    is_active = serializers.BooleanField(
        required=False, help_text="false takes the product off sale without deleting it."
    )


# --- output -----------------------------------------------------------------------------


def _file_url(name: str | None) -> str | None:
    return _IMAGE_STORAGE.url(name) if name else None


def _category(row: dict) -> dict | None:
    if row["category_id"] is None:
        return None
    return {"id": row["category_id"], "name": row["category_name"]}


def product_dict(row: dict, *, primary_image: str | None) -> dict:
    """A product as the Supplier API lists it (the contract's example, key for key)."""
    return {
        "id": row["id"],
        "name": row["name"],
        "sku": row["sku"] or None,
        "type": row["type"],
        "base_price": euros(row["price"]),
        "unit": row["unit"],
        "stock_qty": row["stock_qty"],
        "stock_status": stock_status_of(row["stock_qty"], row["low_stock_threshold"]),
        "is_active": row["is_active"],
        "is_approved": row["approval_status"] == Product.APPROVED,
        "category": _category(row),
        "primary_image": primary_image,
    }


def product_image_dict(row: dict) -> dict:
    return {
        "id": row["id"],
        "url": _file_url(row["image"]),
        "thumbnail_url": _file_url(row["thumbnail"]),
        "is_primary": bool(row["is_primary"]),  # SQLite's JSON says 1/0
    }


def product_detail_dict(row: dict) -> dict:
    """A product's detail: the list's fields, then the rest of the product, its approval and images."""
    images = [product_image_dict(image) for image in row["image_rows"]]
    primary = next((image["url"] for image in images if image["is_primary"]), None)
    return {
        **product_dict(row, primary_image=primary),
        "description": row["description"],
        "min_order_qty": row["min_order_qty"],
        "color": row["color"] or None,
        "stem_length": row["stem_length"],
        "country_of_origin": row["country_of_origin"] or None,
        "vat_rate": row["vat_rate"],
        "approval_status": row["approval_status"],
        "rejection_reason": row["rejection_reason"] or None,
        "images": images,
        "created_at": iso(row["created_at"]),
        "updated_at": iso(row["updated_at"]),
    }


# Output serializers document what the functions above build (OpenAPI only).


class SupplierProductCategoryOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class SupplierProductOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    sku = serializers.CharField(allow_null=True)
    type = CatalogueTypeField()
    base_price = serializers.FloatField(help_text="Euros, VAT included.")
    unit = serializers.ChoiceField(choices=Product.UNIT_CHOICES)
    stock_qty = serializers.IntegerField()
    stock_status = serializers.ChoiceField(choices=[Product.IN_STOCK, Product.LOW_STOCK, Product.OUT_OF_STOCK])
    is_active = serializers.BooleanField()
    is_approved = serializers.BooleanField()
    category = SupplierProductCategoryOut(allow_null=True)
    primary_image = serializers.CharField(allow_null=True, help_text="URL of the primary image.")


class SupplierProductImageOut(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.CharField()
    thumbnail_url = serializers.CharField(allow_null=True)
    is_primary = serializers.BooleanField()


class SupplierProductDetailOut(SupplierProductOut):
    description = serializers.CharField()
    min_order_qty = serializers.IntegerField()
    color = serializers.CharField(allow_null=True)
    stem_length = serializers.IntegerField(allow_null=True)
    country_of_origin = serializers.CharField(allow_null=True)
    vat_rate = serializers.FloatField(help_text="Percent.")
    approval_status = serializers.ChoiceField(choices=Product.APPROVAL_CHOICES)
    rejection_reason = serializers.CharField(allow_null=True)
    images = SupplierProductImageOut(many=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


SupplierProductPage = supplier_page_of("SupplierProductPage", "products", SupplierProductOut)
SupplierProductDetail = supplier_ok("SupplierProductDetail", SupplierProductDetailOut())
SupplierProductDeleted = supplier_ok(
    "SupplierProductDeleted",
    inline_serializer(
        "SupplierProductDeletedData", {"id": serializers.IntegerField(), "message": serializers.CharField()}
    ),
)


# --- products ---------------------------------------------------------------------------

class SupplierProductFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        method="filter_status", choices=[(name, name) for name in selectors.PRODUCT_STATUSES],
        help_text=(
            "active: approved and on sale; inactive: taken off sale (is_active false), whatever its approval; "
            "pending: awaiting approval; rejected: refused by staff (see rejection_reason; an edit resubmits it)."
        ),
    )
    search = TextFilter(method="filter_search", allow_empty=True, help_text="Part of the name or SKU, any case.")

    def filter_status(self, queryset, name, value):
        return selectors.product_filter(queryset, status=value)

    def filter_search(self, queryset, name, value):
        return selectors.product_filter(queryset, search=value)


@extend_schema(tags=["Supplier Products"])
class ProductListView(SupplierView):
    plural = "products"
    cache_generations = ("catalogue",)
    prepared_images: list = []

    @extend_schema(
        operation_id="supplier_products_list",
        summary="List your products",
        description="Your live (not deleted) products, newest first.",
        parameters=[*PAGE_PARAMS, *filter_parameters(SupplierProductFilter)],
        responses={200: SupplierProductPage},
    )
    def get(self, request):
        return self.cached(request, lambda: self._page(request))

    def _page(self, request) -> dict:
        qs = apply_filterset(SupplierProductFilter, request, selectors.product_list(supplier_id=self.supplier_id))
        page = self.paginate(qs, request)
        rows = [product_dict(row, primary_image=_file_url(row["primary_image_name"])) for row in page.rows]
        return self.paginated_response(page, rows).data

    def prepare_outside_transaction(self, request, *args, **kwargs) -> None:
        # The body is checked before anything is downloaded; the downloads happen here,
        # before the transaction an Idempotency-Key wraps the handler in.
        if request.method != "POST":
            return
        body = read_body(SupplierProductCreateInput, request)
        self.fields = body.to_service_fields()
        self.fields.setdefault("type", Category.TYPE_FLOWER)  # flower by default, whatever the category's type
        image_url = body.validated_data.get("image_url", "")
        if image_url.strip():
            urls = images.split_urls(image_url)
            services.product_create_check(actor=self.actor, **self.fields)  # a refusal costs no download
            # Downloaded and checked here (network and Pillow, no database), outside any transaction.
            self.prepared_images = images.prepare_images(urls)
        else:
            self.prepared_images = []

    @extend_schema(
        operation_id="supplier_products_create",
        summary="Create a product",
        description=(
            "New products wait for approval before they appear in the catalogue. A SKU you already use on a "
            "live product is a 422 naming sku. Any image that cannot be fetched or is not a jpg, png or webp "
            "is a 422 naming its URL, and nothing of the request is kept."
        ),
        request=SupplierProductCreateInput,
        responses={201: SupplierProductDetail},
    )
    def post(self, request):
        product = images.product_create_with_images(actor=self.actor, fields=self.fields, prepared=self.prepared_images)
        row = selectors.product_detail(supplier_id=self.supplier_id, product_id=product.pk)
        return Response(product_detail_dict(row), status=201)


@extend_schema(tags=["Supplier Products"])
class ProductDetailView(SupplierView):
    @extend_schema(
        operation_id="supplier_products_retrieve",
        summary="Get a product with its images and approval status",
        responses={200: SupplierProductDetail},
    )
    def get(self, request, pk: int):
        return Response(product_detail_dict(selectors.product_detail(supplier_id=self.supplier_id, product_id=pk)))

    @extend_schema(
        operation_id="supplier_products_update",
        summary="Update a product",
        description=(
            "Only the fields given change. is_active false takes the product off sale without deleting it. "
            "Editing a rejected product sends it back for approval."
        ),
        request=SupplierProductUpdateInput,
        responses={200: SupplierProductDetail},
    )
    def post(self, request, pk: int):
        product = selectors.product_get(supplier_id=self.supplier_id, product_id=pk)
        changes = read_body(SupplierProductUpdateInput, request, partial=True).to_service_fields()
        services.product_update(product=product, actor=self.actor, changes=changes)
        return Response(product_detail_dict(selectors.product_detail(supplier_id=self.supplier_id, product_id=pk)))


@extend_schema(tags=["Supplier Products"])
class ProductDeleteView(SupplierView):
    @extend_schema(
        operation_id="supplier_products_delete",
        summary="Delete a product",
        description="Soft delete: the product leaves the catalogue and your lists, orders keep their lines, "
                    "and its SKU is free again. No request body.",
        request=None,
        responses={200: SupplierProductDeleted},
    )
    def post(self, request, pk: int):
        product = selectors.product_get(supplier_id=self.supplier_id, product_id=pk)
        services.product_soft_delete(product=product, actor=self.actor)
        return Response({"id": product.pk, "message": "Product deleted successfully"})
