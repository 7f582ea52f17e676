"""Plain-dict representations of commerce rows, shared by the Staff API and event payloads.

Lists build these from ``.values()`` rows (no model instances, no per-row queries); a
single object goes through the same functions so a list item and a detail agree.
"""
from datetime import UTC, datetime
from decimal import Decimal

from .models import stock_status_of

PRODUCT_VALUES = [
    "id", "name", "slug", "description", "price", "compare_at_price", "stock_qty", "is_digital", "is_active",
    "category_id", "sku", "supplier_id", "approval_status", "rejection_reason", "low_stock_threshold", "type",
    "unit", "min_order_qty", "vat_rate", "color", "stem_length", "country_of_origin", "created_at", "updated_at",
]

CATEGORY_VALUES = ["id", "name", "slug", "parent_id", "type", "is_active", "created_at", "updated_at"]

ORDER_LIST_VALUES = [
    "id", "order_number", "status", "total_amount", "currency", "email", "tracking_number",
    "fulfillment_status", "created_at",
]

ORDER_DETAIL_VALUES = ORDER_LIST_VALUES + [
    "subtotal_amount", "discount_amount", "tax_amount", "shipping_amount", "shipping_address", "updated_at",
]

ORDER_ITEM_VALUES = [
    "id", "order_id", "group_id", "product_id", "product_name", "sku", "quantity", "unit_price", "vat_rate",
    "tax_amount",
]

GROUP_VALUES = ["id", "order_id", "supplier_id", "status", "subtotal_amount", "created_at", "updated_at"]


def iso(value: datetime | None) -> str | None:
    """Timestamps as the Staff API writes them: UTC, whole seconds, ``Z``."""
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def percent(value) -> str:
    """A VAT rate as the column stores it, two decimals ("21.00"), whether it comes from the
    database or from a just-built instance (whose Decimal may be "21" or "9.5")."""
    return f"{Decimal(value):.2f}"


def values_of(instance, fields: list[str]) -> dict:
    """The ``.values()`` row of a model instance, for rendering one object like a list item."""
    return {name: getattr(instance, name) for name in fields}


def product_dict(row: dict) -> dict:
    return {
        "id": row["id"],
        "name": row["name"],
        "slug": row["slug"],
        "description": row["description"],
        "price": row["price"],
        "compare_at_price": row["compare_at_price"],
        "inventory_count": row["stock_qty"],
        "is_digital": row["is_digital"],
        "is_active": row["is_active"],
        "category_id": row["category_id"],
        "sku": row["sku"] or None,
        "supplier_id": row["supplier_id"],
        "approval_status": row["approval_status"],
        "rejection_reason": row["rejection_reason"] or None,
        "stock_status": stock_status_of(row["stock_qty"], row["low_stock_threshold"]),
        "low_stock_threshold": row["low_stock_threshold"],
        "type": row["type"],
        "unit": row["unit"],
        "min_order_qty": row["min_order_qty"],
        "vat_rate": percent(row["vat_rate"]),
        "color": row["color"] or None,
        "stem_length": row["stem_length"],
        "country_of_origin": row["country_of_origin"] or None,
        "created_at": iso(row["created_at"]),
        "updated_at": iso(row["updated_at"]),
    }


def category_dict(row: dict) -> dict:
    return {
        "id": row["id"],
        "name": row["name"],
        "slug": row["slug"],
        "parent_id": row["parent_id"],
        "type": row["type"],
        "is_active": row["is_active"],
        "created_at": iso(row["created_at"]),
        "updated_at": iso(row["updated_at"]),
    }


def order_list_dict(row: dict) -> dict:
    return {
        "id": row["id"],
        "order_number": row["order_number"],
        "status": row["status"],
        "total_amount": row["total_amount"],
        "currency": row["currency"],
        "email": row["email"],
        "tracking_number": row["tracking_number"] or None,
        "created_at": iso(row["created_at"]),
        "items_count": row["items_count"],
        "fulfillment_status": row["fulfillment_status"],
    }


def order_item_dict(row: dict) -> dict:
    return {
        "id": row["id"],
        "product_id": row["product_id"],
        "product_name": row["product_name"],
        "quantity": row["quantity"],
        "unit_price": row["unit_price"],
        "sku": row["sku"] or None,
        "vat_rate": percent(row["vat_rate"]),
        "tax_amount": row["tax_amount"],
        "group_id": row["group_id"],
    }


def group_dict(row: dict) -> dict:
    return {
        "id": row["id"],
        "supplier_id": row["supplier_id"],
        "status": row["status"],
        "subtotal_amount": row["subtotal_amount"],
        "created_at": iso(row["created_at"]),
        "updated_at": iso(row["updated_at"]),
    }


def order_detail_dict(row: dict, items: list[dict], groups: list[dict]) -> dict:
    return {
        "id": row["id"],
        "order_number": row["order_number"],
        "status": row["status"],
        "total_amount": row["total_amount"],
        "subtotal_amount": row["subtotal_amount"],
        "discount_amount": row["discount_amount"],
        "tax_amount": row["tax_amount"],
        "shipping_amount": row["shipping_amount"],
        "currency": row["currency"],
        "email": row["email"],
        "tracking_number": row["tracking_number"] or None,
        "shipping_address": row["shipping_address"],
        "items": [order_item_dict(item) for item in items],
        "created_at": iso(row["created_at"]),
        "fulfillment_status": row["fulfillment_status"],
        "groups": [group_dict(group) for group in groups],
        "updated_at": iso(row["updated_at"]),
    }
