"""Supplier API bulk updates: POST /stock and POST /prices (commerce.bulk holds the rules).

The whole request is refused (422) only when it cannot be read as a list of items: not a
JSON object, an unknown top-level field, ``items`` missing, not a list, empty or longer
than 500. Everything about one item is that item's failure, reported in ``errors``; the
other items are applied.
"""
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response

from commerce import bulk
from verso.api.fields import InputSerializer
from verso.api.views import read_body

from .base import SupplierView
from .schema import supplier_ok

_ANY = {"description": "As the item gave it."}


def _item_field(value_field: str, value_doc: str, example: dict):
    # Items are documented without types on purpose: a malformed item is not a 422 but that
    # item's entry in `errors`, so the document must not promise a 422 for it.
    @extend_schema_field({
        "description": f"An object: `product_id` or `sku` (exactly one), and `{value_field}`.",
        "properties": {
            "product_id": {"description": "The product's id (a whole number)."},
            "sku": {"description": "The product's SKU (a string)."},
            value_field: {"description": value_doc},
        },
        "example": example,
    })
    class ItemField(serializers.JSONField):
        def to_internal_value(self, data):
            # The body was parsed from JSON, so every item is JSON already: JSONField's own
            # check (a json.dumps of each item) only cost time, 500 times.
            return data

    return ItemField


StockItemField = _item_field("stock_qty", "The new stock quantity: a whole number from 0.",
                             {"sku": "ROSE-RED-001", "stock_qty": 250})
PriceItemField = _item_field("base_price", "The new price in euros: a JSON number with at most 2 decimals.",
                             {"product_id": 42, "base_price": 2.75})


class BulkStockInput(InputSerializer):
    items = serializers.ListField(
        child=StockItemField(allow_null=True), allow_empty=False, max_length=bulk.MAX_BULK_ITEMS
    )


class BulkPriceInput(InputSerializer):
    items = serializers.ListField(
        child=PriceItemField(allow_null=True), allow_empty=False, max_length=bulk.MAX_BULK_ITEMS
    )


class BulkErrorOut(serializers.Serializer):
    index = serializers.IntegerField(help_text="The item's position in `items`, from 0.")
    product_id = serializers.JSONField(required=False, help_text="The product_id the item gave, if any.")
    sku = serializers.JSONField(required=False, help_text="The sku the item gave, if any.")
    error = serializers.CharField(help_text='Why the item failed, e.g. "Product not found".')


class BulkResultOut(serializers.Serializer):
    updated = serializers.IntegerField(help_text="Items applied.")
    failed = serializers.IntegerField(help_text="Items refused (each one in `errors`).")
    errors = BulkErrorOut(many=True)


BULK_RULES = (
    f" At most {bulk.MAX_BULK_ITEMS} items; an empty list, more than {bulk.MAX_BULK_ITEMS} items, a missing `items` "
    "or an `items` that is not a list is a 422 for the whole request, and nothing is applied. Each item names a "
    "product by `product_id` or by `sku`, exactly one of them. Every problem with one item (both identifiers or "
    "neither, a value of the wrong type or out of range, an unknown field, a product that is not yours or does not "
    "exist: \"Product not found\", a product an earlier item already named) fails that item only: it is listed in "
    "`errors` with its index and the identifier it gave, and the valid items are applied, all together in one "
    "transaction. Answers 200 with the counts."
)
RESULT_EXAMPLE = OpenApiExample(
    "Result", response_only=True, status_codes=["200"],
    value={"success": True, "data": {"updated": 2, "failed": 1, "errors": [
        {"index": 2, "sku": "LILY-WHT-003", "error": "Product not found"}]}},
)


@extend_schema(tags=["Supplier Stock & Prices"])
class SupplierBulkStockView(SupplierView):
    @extend_schema(
        operation_id="supplier_stock_bulk_update",
        summary="Bulk stock update",
        description="Set the stock quantity (`stock_qty`, a whole number from 0) of many products." + BULK_RULES,
        request=BulkStockInput,
        responses={200: supplier_ok("SupplierBulkStockResult", BulkResultOut())},
        examples=[
            OpenApiExample("Stock", request_only=True, value={"items": [
                {"product_id": 42, "stock_qty": 500}, {"sku": "ROSE-RED-001", "stock_qty": 250},
                {"sku": "LILY-WHT-003", "stock_qty": 0}]}),
            RESULT_EXAMPLE,
        ],
    )
    def post(self, request):
        items = read_body(BulkStockInput, request).validated_data["items"]
        return Response(bulk.product_stock_bulk_update(supplier_id=self.supplier_id, items=items, actor=self.actor))


@extend_schema(tags=["Supplier Stock & Prices"])
class SupplierBulkPriceView(SupplierView):
    @extend_schema(
        operation_id="supplier_prices_bulk_update",
        summary="Bulk price update",
        description=(
            "Set the price (`base_price`, euros as a JSON number with at most 2 decimals, VAT included) of many "
            "products." + BULK_RULES
        ),
        request=BulkPriceInput,
        responses={200: supplier_ok("SupplierBulkPriceResult", BulkResultOut())},
        examples=[
            OpenApiExample("Prices", request_only=True, value={"items": [
                {"product_id": 42, "base_price": 2.75}, {"sku": "ROSE-RED-001", "base_price": 3.10}]}),
            RESULT_EXAMPLE,
        ],
    )
    def post(self, request):
        items = read_body(BulkPriceInput, request).validated_data["items"]
        return Response(bulk.product_price_bulk_update(supplier_id=self.supplier_id, items=items, actor=self.actor))
