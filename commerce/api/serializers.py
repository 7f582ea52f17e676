"""Staff API shapes for commerce: input serializers check shape only (rules live in
commerce.services); output serializers exist to document responses in OpenAPI — the
responses themselves are built by commerce.representations from plain rows.
"""
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from commerce.models import Category, Order, OrderGroup, Product
from commerce.services import MAX_BIGINT, MAX_INT, MAX_ORDER_QUANTITY


@extend_schema_field(OpenApiTypes.STR)
class NamedChoiceField(serializers.ChoiceField):
    """A choice field documented as a string listing its values.

    For generic names (``status``, ``type``) that other resources use with other value
    sets: a named OpenAPI enum would collide across components and fail schema validation.
    """

    def __init__(self, choices, **kwargs):
        values = ", ".join(str(value) for value, _ in choices)
        kwargs["help_text"] = f"{kwargs.get('help_text', '')} One of: {values}.".strip()
        super().__init__(choices, **kwargs)


# --- input ------------------------------------------------------------------------------


class ProductInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    price = serializers.IntegerField(min_value=0, max_value=MAX_INT, help_text="Price in cents, VAT included.")
    description = serializers.CharField(required=False, allow_blank=True)
    sku = serializers.CharField(required=False, allow_blank=True, max_length=64)
    inventory_count = serializers.IntegerField(
        required=False, min_value=0, max_value=MAX_INT, help_text="Stock quantity (default 0)."
    )
    is_digital = serializers.BooleanField(required=False)
    category_id = serializers.IntegerField(required=False, allow_null=True, max_value=MAX_BIGINT)
    # Beyond the contract's table: the rest of the catalogue's fields.
    slug = serializers.SlugField(
        required=False, allow_blank=True, max_length=200,
        help_text="Made from the name when empty; a slug another product has gets a -2, -3 … suffix.",
    )
    compare_at_price = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=MAX_INT)
    is_active = serializers.BooleanField(required=False)
    type = NamedChoiceField(Product.TYPE_CHOICES, required=False)
    unit = serializers.ChoiceField(choices=Product.UNIT_CHOICES, required=False)
    min_order_qty = serializers.IntegerField(required=False, min_value=1, max_value=MAX_INT)
    low_stock_threshold = serializers.IntegerField(required=False, min_value=0, max_value=MAX_INT)
    color = serializers.CharField(required=False, allow_blank=True, max_length=50)
    stem_length = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=MAX_INT, help_text="Centimetres."
    )
    country_of_origin = serializers.CharField(required=False, allow_blank=True, max_length=100)
    vat_rate = serializers.DecimalField(required=False, max_digits=5, decimal_places=2, help_text="Percent.")
    supplier_id = serializers.IntegerField(
        required=False, allow_null=True, max_value=MAX_BIGINT,
        help_text="The supplier selling it; null for the operator's own product.",
    )

    def to_service_fields(self) -> dict:
        """validated_data in the service's (model's) field names."""
        data = dict(self.validated_data)
        if "inventory_count" in data:
            data["stock_qty"] = data.pop("inventory_count")
        return data


class CategoryInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    slug = serializers.SlugField(required=False, allow_blank=True, max_length=200)
    parent_id = serializers.IntegerField(required=False, allow_null=True, max_value=MAX_BIGINT)
    type = NamedChoiceField(Category.TYPE_CHOICES, required=False)
    is_active = serializers.BooleanField(required=False)


class OrderItemInput(serializers.Serializer):
    product_id = serializers.IntegerField(min_value=1, max_value=MAX_BIGINT)
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_ORDER_QUANTITY)


class AddressSerializer(serializers.Serializer):
    line1 = serializers.CharField(max_length=200)
    line2 = serializers.CharField(max_length=200, required=False, allow_blank=True)
    city = serializers.CharField(max_length=100)
    state = serializers.CharField(max_length=100, required=False, allow_blank=True)
    postal_code = serializers.CharField(max_length=20)
    country = serializers.CharField(max_length=100)


class OrderCreateInput(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    items = serializers.ListField(child=OrderItemInput(), allow_empty=False, max_length=100)
    shipping_address = AddressSerializer()


class OrderUpdateInput(serializers.Serializer):
    status = NamedChoiceField(Order.STATUS_CHOICES, required=False)
    tracking_number = serializers.CharField(required=False, allow_blank=True, max_length=100)
    fulfillment_status = serializers.ChoiceField(choices=Order.FULFILLMENT_CHOICES, required=False)
    comment = serializers.CharField(required=False, allow_blank=True, help_text="Recorded in the status history.")


class OrderGroupUpdateInput(serializers.Serializer):
    status = NamedChoiceField(OrderGroup.STATUS_CHOICES)
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
    type = NamedChoiceField(Product.TYPE_CHOICES)
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
    type = NamedChoiceField(Category.TYPE_CHOICES)
    is_active = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class OrderListOut(serializers.Serializer):
    id = serializers.IntegerField()
    order_number = serializers.CharField()
    status = NamedChoiceField(Order.STATUS_CHOICES)
    total_amount = serializers.IntegerField()
    currency = serializers.CharField()
    email = serializers.EmailField()
    tracking_number = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()
    items_count = serializers.IntegerField(help_text="Units ordered (the sum of the lines' quantities).")
    fulfillment_status = serializers.ChoiceField(choices=Order.FULFILLMENT_CHOICES)


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
    status = NamedChoiceField(OrderGroup.STATUS_CHOICES)
    subtotal_amount = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class OrderDetailOut(serializers.Serializer):
    id = serializers.IntegerField()
    order_number = serializers.CharField()
    status = NamedChoiceField(Order.STATUS_CHOICES)
    total_amount = serializers.IntegerField()
    subtotal_amount = serializers.IntegerField()
    discount_amount = serializers.IntegerField()
    tax_amount = serializers.IntegerField()
    shipping_amount = serializers.IntegerField()
    currency = serializers.CharField()
    email = serializers.EmailField()
    tracking_number = serializers.CharField(allow_null=True)
    shipping_address = AddressSerializer()
    items = OrderItemOut(many=True)
    created_at = serializers.DateTimeField()
    fulfillment_status = serializers.ChoiceField(choices=Order.FULFILLMENT_CHOICES)
    groups = OrderGroupOut(many=True)
    updated_at = serializers.DateTimeField()


class OrderCreatedOut(serializers.Serializer):
    id = serializers.IntegerField()
    order_number = serializers.CharField()
    message = serializers.CharField()
