"""Supplier API reads: every function takes the key's ``supplier_id`` as a required keyword
argument, so no read can reach another supplier's rows (another supplier's id is simply not found)."""
from django.db.models import F, IntegerField, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from commerce import images as commerce_images
from commerce.models import OrderGroup, OrderItem, Product, ProductImage, StatusChange
from verso.db import child_rows, decoded
from verso.errors import NotFound

# --- products (shared) -------------------------------------------------------------------


def product_get(*, supplier_id: int, product_id: int) -> Product:
    """The supplier's live product; another supplier's (or a deleted) one is not found, like a missing id."""
    product = Product.objects.filter(pk=product_id, supplier_id=supplier_id, deleted_at__isnull=True).first()
    if product is None:
        raise NotFound("Product not found")
    return product


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

ORDER_GROUP_VALUES = ["id", "status", "subtotal_amount", "created_at", "updated_at"]
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
            shipping_address=F("order__shipping_address"),
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
