"""Supplier API reads: every query of a supplier's rows takes ``supplier_id`` as a required
keyword argument, so an unscoped read of tenant data cannot be written by accident (another
supplier's id is simply not found)."""
from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from commerce import images as commerce_images
from commerce.models import Category, OrderGroup, OrderItem, Product, ProductImage, StatusChange
from commerce.state import GROUP_TRANSITIONS
from verso.api.models import ApiKey
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


def product_list_with_thumbnails(*, supplier_id: int) -> QuerySet:
    """``product_list`` with each row's primary thumbnail file name (``primary_thumbnail``, a
    second subquery): the portal's list shows the small picture, the API only the image."""
    thumbnail = ProductImage.objects.filter(product_id=OuterRef("pk"), is_primary=True).values("thumbnail")[:1]
    return product_list(supplier_id=supplier_id).annotate(primary_thumbnail=Subquery(thumbnail))


# What each product ``status`` means to a supplier (the Supplier API's filter and the portal's);
# a product can be both inactive and pending or rejected.
PRODUCT_STATUSES = {
    "active": Q(approval_status=Product.APPROVED, is_active=True),
    "inactive": Q(is_active=False),
    "pending": Q(approval_status=Product.PENDING),
    "rejected": Q(approval_status=Product.REJECTED),
}
# Low on stock or out of it (``stock_status`` low_stock or out_of_stock), among products on sale.
LOW_STOCK = Q(is_active=True, stock_qty__lte=F("low_stock_threshold"))


def product_filter(queryset: QuerySet, *, status: str = "", search: str = "", low_stock: bool = False) -> QuerySet:
    """Narrow a product list: a ``PRODUCT_STATUSES`` name, part of the name or SKU (any case), low stock."""
    if status:
        queryset = queryset.filter(PRODUCT_STATUSES[status])
    search = search.strip()
    if search:
        queryset = queryset.filter(Q(name__icontains=search) | Q(sku__icontains=search))
    if low_stock:
        queryset = queryset.filter(LOW_STOCK)
    return queryset


def product_status_counts(*, supplier_id: int) -> dict[str, int]:
    """How many live products the supplier has in each ``PRODUCT_STATUSES`` status, and low on stock (one query)."""
    counts = {name: Count("id", filter=condition) for name, condition in PRODUCT_STATUSES.items()}
    return _live_products(supplier_id=supplier_id).aggregate(**counts, low_stock=Count("id", filter=LOW_STOCK))


def product_low_stock(*, supplier_id: int) -> QuerySet:
    """The supplier's products on sale that are low on stock or out of it, emptiest first."""
    return (
        _live_products(supplier_id=supplier_id).filter(LOW_STOCK)
        .values("id", "name", "sku", "stock_qty", "low_stock_threshold", "unit")
        .order_by("stock_qty", "name", "id")
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


# --- product images ----------------------------------------------------------------------


def product_image_list(*, supplier_id: int, product_id: int) -> list[dict]:
    """The images of the supplier's live product in position order, in one SQL query."""
    row = (
        Product.objects.filter(pk=product_id, supplier_id=supplier_id, deleted_at__isnull=True)
        .values("id", image_rows=child_rows(
            ProductImage.objects, parent_field="product_id",
            fields=["id", "image", "thumbnail", "is_primary", "position"],
        ))
        .first()
    )
    if row is None:
        raise NotFound("Product not found")
    rows = sorted(row["image_rows"] or [], key=lambda image: (image["position"], image["id"]))
    # SQLite's JSON writes booleans as 0/1: read them back as booleans on either database.
    return [commerce_images.image_dict({**image, "is_primary": bool(image["is_primary"])}) for image in rows]


def product_image_get(*, supplier_id: int, product_id: int, image_id: int) -> ProductImage:
    """One image of the supplier's product; the product is checked first ("Product not found"),
    then the image must belong to it ("Image not found")."""
    product = product_get(supplier_id=supplier_id, product_id=product_id)
    image = ProductImage.objects.filter(pk=image_id, product_id=product.pk).first()
    if image is None:
        raise NotFound("Image not found")
    return image


# --- orders (order groups: the supplier's portion of an order) ----------------------------

ORDER_GROUP_VALUES = ["id", "status", "subtotal_amount", "supplier_opened_at", "created_at", "updated_at"]
ORDER_GROUP_FROM_ORDER = {
    "order_number": F("order__order_number"), "currency": F("order__currency"), "email": F("order__email"),
}
ORDER_GROUP_ITEM_VALUES = ["id", "product_id", "product_name", "sku", "quantity", "unit_price", "vat_rate",
                           "tax_amount"]
ORDER_GROUP_HISTORY_VALUES = ["id", "from_status", "to_status", "comment", "created_at"]


def _units_of_group() -> Subquery:
    # Units ordered (the sum of the lines' quantities), as the Staff API's items_count.
    units = (
        OrderItem.objects.filter(group_id=OuterRef("pk")).order_by().values("group_id")
        .annotate(units=Sum("quantity")).values("units")
    )
    return Coalesce(Subquery(units, output_field=IntegerField()), 0)


def order_group_list(*, supplier_id: int) -> QuerySet:
    """The supplier's order groups, newest first, as ``.values()`` rows (one query per page)."""
    return (
        OrderGroup.objects.filter(supplier_id=supplier_id)
        .values(*ORDER_GROUP_VALUES, **ORDER_GROUP_FROM_ORDER, items_count=_units_of_group())
        .order_by("-created_at", "-id")
    )


def new_order_group_count(*, supplier_id: int) -> int:
    """Order groups the supplier has not opened in the portal yet (the Orders menu's badge):
    one COUNT over a partial index of the unopened ones."""
    return OrderGroup.objects.filter(supplier_id=supplier_id, supplier_opened_at__isnull=True).count()


# Order groups still waiting for the supplier to move them on (any status a supplier can leave).
OPEN_GROUP_STATUSES = [status for status, targets in GROUP_TRANSITIONS.items() if targets]


def order_group_open_counts(*, supplier_id: int) -> dict[str, int]:
    """How many of the supplier's order groups are in each open status, in lifecycle order (one query)."""
    rows = (
        OrderGroup.objects.filter(supplier_id=supplier_id, status__in=OPEN_GROUP_STATUSES)
        .values("status").annotate(count=Count("id")).order_by()
    )
    counted = {row["status"]: row["count"] for row in rows}
    return {status: counted.get(status, 0) for status in OPEN_GROUP_STATUSES}


def order_group_get(*, supplier_id: int, group_id: int) -> OrderGroup:
    group = OrderGroup.objects.filter(pk=group_id, supplier_id=supplier_id).first()
    if group is None:
        raise NotFound("Order not found")
    return group


def order_group_detail(*, supplier_id: int, group_id: int) -> dict:
    """One order group with the order's customer and address, its items and its status
    history, in one query (items and history ride along as JSON arrays)."""
    row = (
        OrderGroup.objects.filter(pk=group_id, supplier_id=supplier_id)
        .values(
            *ORDER_GROUP_VALUES, **ORDER_GROUP_FROM_ORDER,
            shipping_address=F("order__shipping_address"), order_status=F("order__status"),
            item_rows=child_rows(OrderItem.objects, parent_field="group_id", fields=ORDER_GROUP_ITEM_VALUES),
            history_rows=child_rows(StatusChange.objects, parent_field="group_id", fields=ORDER_GROUP_HISTORY_VALUES),
        )
        .first()
    )
    if row is None:
        raise NotFound("Order not found")
    row["items"] = decoded(row.pop("item_rows"), decimals={"vat_rate": 2})
    row["history"] = decoded(row.pop("history_rows"), datetimes=("created_at",))
    return row


# --- Supplier API keys ----------------------------------------------------------------------


def api_key_list(*, supplier_id: int) -> QuerySet:
    """The supplier's own Supplier API keys, newest first (never the hash)."""
    return (
        ApiKey.objects.filter(supplier_id=supplier_id)
        .values("id", "name", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at")
        .order_by("-created_at", "-id")
    )


def api_key_get(*, supplier_id: int, key_id: int):
    """One of the supplier's keys; another supplier's (or a staff key) is not found, like a missing one."""
    api_key = ApiKey.objects.filter(pk=key_id, supplier_id=supplier_id).first()
    if api_key is None:
        raise NotFound("API key not found")
    return api_key
