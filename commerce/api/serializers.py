"""Staff API shapes for commerce: input serializers check shape only (rules live in
commerce.services); output serializers exist to document responses in OpenAPI — the
responses themselves are built by commerce.representations from plain rows.
"""
from rest_framework import serializers

from commerce.models import Category, Order, OrderGroup, Product
from commerce.services import MAX_BIGINT, MAX_INT, MAX_ORDER_LINES, MAX_ORDER_QUANTITY, ORDER_UPDATE_FIELDS
from verso.api.fields import InputSerializer, NamedEnumField, PercentField


class CatalogueTypeField(NamedEnumField):
    enum_name = "CatalogueTypeEnum"
    enum_choices = Category.TYPE_CHOICES


class OrderStatusField(NamedEnumField):
    enum_name = "OrderStatusEnum"
    enum_choices = Order.STATUS_CHOICES


class OrderGroupStatusField(NamedEnumField):
    enum_name = "OrderGroupStatusEnum"
    enum_choices = OrderGroup.STATUS_CHOICES


# --- input ------------------------------------------------------------------------------


class ProductInput(InputSerializer):
    name = serializers.CharField(max_length=200)
    price = serializers.IntegerField(min_value=0, max_value=MAX_INT, help_text="Price in cents, VAT included.")
    description = serializers.CharField(required=False, allow_blank=True)
    sku = serializers.CharField(required=False, allow_blank=True, max_length=64)
    inventory_count = serializers.IntegerField(
        required=False, min_value=0, max_value=MAX_INT, help_text="Stock quantity (default 0)."
    )
    is_digital = serializers.BooleanField(required=False)
    category_id = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=MAX_BIGINT)
    # Beyond the contract's table: the rest of the catalogue's fields.
    slug = serializers.SlugField(
        required=False, allow_blank=True, max_length=200,
        help_text="Made from the name when empty; a slug another product has gets a -2, -3 … suffix.",
    )
    compare_at_price = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=MAX_INT)
    is_active = serializers.BooleanField(required=False)
    type = CatalogueTypeField(required=False)
    unit = serializers.ChoiceField(choices=Product.UNIT_CHOICES, required=False)
    min_order_qty = serializers.IntegerField(required=False, min_value=1, max_value=MAX_INT)
    low_stock_threshold = serializers.IntegerField(required=False, min_value=0, max_value=MAX_INT)
    color = serializers.CharField(required=False, allow_blank=True, max_length=50)
    stem_length = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=MAX_INT, help_text="Centimetres."
    )
    country_of_origin = serializers.CharField(required=False, allow_blank=True, max_length=100)
    vat_rate = PercentField(required=False)
    supplier_id = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_BIGINT,
        help_text="The supplier selling it; null for the operator's own product.",
    )

    def to_service_fields(self) -> dict:
        """validated_data in the service's (model's) field names."""
        data = dict(self.validated_data)
        if "inventory_count" in data:
            data["stock_qty"] = data.pop("inventory_count")
        return data


class CategoryInput(InputSerializer):
    name = serializers.CharField(max_length=200)
    slug = serializers.SlugField(required=False, allow_blank=True, max_length=200)
    parent_id = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=MAX_BIGINT)
    type = CatalogueTypeField(required=False)
    is_active = serializers.BooleanField(required=False)


class OrderItemInput(InputSerializer):
    product_id = serializers.IntegerField(min_value=1, max_value=MAX_BIGINT)
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_ORDER_QUANTITY)


class AddressInput(InputSerializer):
    line1 = serializers.CharField(max_length=200)
    line2 = serializers.CharField(max_length=200, required=False, allow_blank=True)
    city = serializers.CharField(max_length=100)
    state = serializers.CharField(max_length=100, required=False, allow_blank=True)
    postal_code = serializers.CharField(max_length=20)
    country = serializers.CharField(max_length=100)


class OrderCreateInput(InputSerializer):
    email = serializers.EmailField(max_length=254)
    items = serializers.ListField(child=OrderItemInput(), allow_empty=False, max_length=MAX_ORDER_LINES)
    shipping_address = AddressInput()


class OrderUpdateInput(InputSerializer):
    one_of_required = ORDER_UPDATE_FIELDS
    status = OrderStatusField(required=False)
    tracking_number = serializers.CharField(required=False, allow_blank=True, max_length=100)
    fulfillment_status = serializers.ChoiceField(choices=Order.FULFILLMENT_CHOICES, required=False)
    comment = serializers.CharField(required=False, allow_blank=True, help_text="Recorded in the status history.")


class OrderGroupUpdateInput(InputSerializer):
    status = OrderGroupStatusField()
    comment = serializers.CharField(required=False, allow_blank=True)


# --- output (documentation of what commerce.representations builds) --------------------


class ProductOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    description = serializers.CharField()
    price = serializers.IntegerField()
    compare_at_price = serializers.IntegerField(allow_null=True)
    inventory_count = serializers.IntegerField()
    is_digital = serializers.BooleanField()
    is_active = serializers.BooleanField()
    category_id = serializers.IntegerField(allow_null=True)
    sku = serializers.CharField(allow_null=True)
    supplier_id = serializers.IntegerField(allow_null=True)
    approval_status = serializers.ChoiceField(choices=Product.APPROVAL_CHOICES)
    rejection_reason = serializers.CharField(allow_null=True)
    stock_status = serializers.ChoiceField(choices=["in_stock", "low_stock", "out_of_stock"])
    low_stock_threshold = serializers.IntegerField()
    type = CatalogueTypeField()
    unit = serializers.ChoiceField(choices=Product.UNIT_CHOICES)
    min_order_qty = serializers.IntegerField()
    vat_rate = serializers.DecimalField(max_digits=5, decimal_places=2)
    color = serializers.CharField(allow_null=True)
    stem_length = serializers.IntegerField(allow_null=True)
    country_of_origin = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class CategoryOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    parent_id = serializers.IntegerField(allow_null=True)
    type = CatalogueTypeField()
    is_active = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class OrderListOut(serializers.Serializer):
    id = serializers.IntegerField()
    order_number = serializers.CharField()
    status = OrderStatusField()
    total_amount = serializers.IntegerField()
    currency = serializers.CharField()
    email = serializers.EmailField()
    tracking_number = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()
    items_count = serializers.IntegerField(help_text="Units ordered (the sum of the lines' quantities).")
    fulfillment_status = serializers.ChoiceField(choices=Order.FULFILLMENT_CHOICES)


class AddressOut(serializers.Serializer):
    line1 = serializers.CharField()
    line2 = serializers.CharField(required=False)
    city = serializers.CharField()
    state = serializers.CharField(required=False)
    postal_code = serializers.CharField()
    country = serializers.CharField()


class OrderItemOut(serializers.Serializer):
    id = serializers.IntegerField()
    product_id = serializers.IntegerField()
    product_name = serializers.CharField()
    quantity = serializers.IntegerField()
    unit_price = serializers.IntegerField()
    sku = serializers.CharField(allow_null=True)
    vat_rate = serializers.DecimalField(max_digits=5, decimal_places=2)
    tax_amount = serializers.IntegerField()
    group_id = serializers.IntegerField()


class OrderGroupOut(serializers.Serializer):
    id = serializers.IntegerField()
    supplier_id = serializers.IntegerField(allow_null=True)
    status = OrderGroupStatusField()
    subtotal_amount = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class OrderDetailOut(serializers.Serializer):
    id = serializers.IntegerField()
    order_number = serializers.CharField()
    status = OrderStatusField()
    total_amount = serializers.IntegerField()
    subtotal_amount = serializers.IntegerField()
    discount_amount = serializers.IntegerField()
    tax_amount = serializers.IntegerField()
    shipping_amount = serializers.IntegerField()
    currency = serializers.CharField()
    email = serializers.EmailField()
    tracking_number = serializers.CharField(allow_null=True)
    shipping_address = AddressOut()
    items = OrderItemOut(many=True)
    created_at = serializers.DateTimeField()
    fulfillment_status = serializers.ChoiceField(choices=Order.FULFILLMENT_CHOICES)
    groups = OrderGroupOut(many=True)
    updated_at = serializers.DateTimeField()


class OrderCreatedOut(serializers.Serializer):
    id = serializers.IntegerField()
    order_number = serializers.CharField()
    message = serializers.CharField()
