"""Commerce reads: the querysets behind lists and the few-query assembly of an order's detail."""
from django.db.models import IntegerField, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from verso.db import child_rows, decoded
from verso.errors import NotFound

from . import representations as rep
from .models import Category, Order, OrderGroup, OrderItem, Product


def product_list() -> QuerySet:
    """Every live (non-deleted) product, any approval status, as ``.values()`` rows."""
    return Product.objects.filter(deleted_at__isnull=True).values(*rep.PRODUCT_VALUES)


def product_get(*, product_id: int) -> Product:
    product = Product.objects.filter(pk=product_id, deleted_at__isnull=True).first()
    if product is None:
        raise NotFound("Product not found")
    return product


def category_list() -> QuerySet:
    return Category.objects.values(*rep.CATEGORY_VALUES)


def category_get(*, category_id: int) -> Category:
    category = Category.objects.filter(pk=category_id).first()
    if category is None:
        raise NotFound("Category not found")
    return category


def order_list() -> QuerySet:
    # items_count is the number of units ordered (sum of line quantities), as in the
    # contract's example (one line of quantity 2 is "items_count": 2). A correlated
    # subquery rather than JOIN + GROUP BY: still one query, and a page of orders is
    # read with LIMIT without grouping every order first.
    units = (
        OrderItem.objects.filter(order_id=OuterRef("pk")).order_by().values("order_id")
        .annotate(units=Sum("quantity")).values("units")
    )
    return Order.objects.annotate(
        items_count=Coalesce(Subquery(units, output_field=IntegerField()), 0)
    ).values(*rep.ORDER_LIST_VALUES, "items_count")


def order_get(*, order_id: int) -> Order:
    order = Order.objects.filter(pk=order_id).first()
    if order is None:
        raise NotFound("Order not found")
    return order


def order_group_get(*, order_id: int, group_id: int) -> OrderGroup:
    """One supplier's part of an order; a group of another order is not found either."""
    group = OrderGroup.objects.filter(pk=group_id, order_id=order_id).first()
    if group is None:
        raise NotFound("Order group not found")
    return group


def order_detail(*, order_id: int) -> dict:
    """The Staff API's order detail (also the order events' payload): one query, the items
    and groups riding along as JSON arrays."""
    row = (
        Order.objects.filter(pk=order_id)
        .values(
            *rep.ORDER_DETAIL_VALUES,
            item_rows=child_rows(OrderItem.objects, parent_field="order_id", fields=rep.ORDER_ITEM_VALUES),
            group_rows=child_rows(OrderGroup.objects, parent_field="order_id", fields=rep.GROUP_VALUES),
        )
        .first()
    )
    if row is None:
        raise NotFound("Order not found")
    items = decoded(row.pop("item_rows"), decimals={"vat_rate": 2})
    groups = decoded(row.pop("group_rows"), datetimes=("created_at", "updated_at"))
    return rep.order_detail_dict(row, items, groups)
