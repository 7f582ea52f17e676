"""Supplier API orders: the supplier's order groups (its portion of each order), read and moved.

``{id}`` is always the ORDER GROUP's id: a supplier sees its own items of an order, never
another supplier's. Amounts are euros (JSON numbers); the rules live in commerce.services.
"""
import django_filters
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from commerce import services
from commerce.api.serializers import AddressOut, OrderGroupStatusField
from commerce.models import OrderGroup
from commerce.representations import iso
from supplier import selectors
from verso.api.fields import InputSerializer, euros
from verso.api.pagination import page_parameters
from verso.api.query import filter_parameters
from verso.api.schema import SupplierPagination
from verso.api.views import apply_filterset, read_body

from .base import SupplierView
from .schema import supplier_ok

# --- representations --------------------------------------------------------------------


def order_group_list_dict(row: dict) -> dict:
    return {
        "id": row["id"],
        "order_number": row["order_number"],
        "status": row["status"],
        "subtotal": euros(row["subtotal_amount"]),
        "currency": row["currency"],
        "items_count": row["items_count"],
        "customer": {"email": row["email"]},
        "created_at": iso(row["created_at"]),
        "updated_at": iso(row["updated_at"]),
    }


def _item_dict(item: dict) -> dict:
    return {
        "id": item["id"],
        "product_id": item["product_id"],
        "product_name": item["product_name"],
        "sku": item["sku"] or None,
        "quantity": item["quantity"],
        "unit_price": euros(item["unit_price"]),
        "line_total": euros(item["unit_price"] * item["quantity"]),
        "vat_rate": item["vat_rate"],
        "tax": euros(item["tax_amount"]),
    }


def _history_dict(change: dict) -> dict:
    return {
        "from_status": change["from_status"],
        "to_status": change["to_status"],
        "comment": change["comment"] or None,
        "created_at": iso(change["created_at"]),
    }


def order_group_detail_dict(row: dict) -> dict:
    items = row["items"]
    return {
        "id": row["id"],
        "order_number": row["order_number"],
        "status": row["status"],
        "subtotal": euros(row["subtotal_amount"]),
        "tax": euros(sum(item["tax_amount"] for item in items)),
        "currency": row["currency"],
        "items_count": sum(item["quantity"] for item in items),
        "customer": {"email": row["email"]},
        "shipping_address": row["shipping_address"],
        "items": [_item_dict(item) for item in items],
        "status_history": [_history_dict(change) for change in row["history"]],
        "created_at": iso(row["created_at"]),
        "updated_at": iso(row["updated_at"]),
    }


# --- shapes (input, and the OpenAPI description of the output) ---------------------------


class OrderStatusInput(InputSerializer):
    status = OrderGroupStatusField(help_text="The status to move to (see the transitions table).")
    comment = serializers.CharField(required=False, allow_blank=True, help_text="Recorded in the status history.")


class Euros(serializers.FloatField):
    """An amount in euros, a JSON number (2.5); documents what ``euros()`` renders."""

    def __init__(self, **kwargs):
        super().__init__(min_value=0, **kwargs)


class SupplierCustomerOut(serializers.Serializer):
    email = serializers.EmailField()


class SupplierOrderOut(serializers.Serializer):
    id = serializers.IntegerField(help_text="The order group's id: the supplier's portion of one order.")
    order_number = serializers.CharField(help_text="The order's number (ORD-YYYY-NNNNNN), shared by its groups.")
    status = OrderGroupStatusField()
    subtotal = Euros(help_text="This supplier's items, in euros, VAT included.")
    currency = serializers.CharField()
    items_count = serializers.IntegerField(help_text="Units ordered from this supplier (sum of the quantities).")
    customer = SupplierCustomerOut()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class SupplierOrderItemOut(serializers.Serializer):
    id = serializers.IntegerField()
    product_id = serializers.IntegerField()
    product_name = serializers.CharField(help_text="As it was when ordered.")
    sku = serializers.CharField(allow_null=True, help_text="As it was when ordered.")
    quantity = serializers.IntegerField()
    unit_price = Euros(help_text="Euros, VAT included, as it was when ordered.")
    line_total = Euros(help_text="unit_price × quantity, in euros.")
    vat_rate = serializers.FloatField(min_value=0, max_value=100, help_text="VAT rate in %.")
    tax = Euros(help_text="The VAT contained in line_total, in euros.")


class SupplierStatusChangeOut(serializers.Serializer):
    from_status = serializers.CharField()
    to_status = OrderGroupStatusField()
    comment = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()


class SupplierOrderDetailOut(SupplierOrderOut):
    tax = Euros(help_text="The VAT contained in the subtotal, in euros.")
    shipping_address = AddressOut()
    items = SupplierOrderItemOut(many=True, help_text="This supplier's items of the order only.")
    status_history = SupplierStatusChangeOut(many=True, help_text="The group's status changes, oldest first.")


class SupplierOrderPageOut(serializers.Serializer):
    orders = SupplierOrderOut(many=True)
    pagination = SupplierPagination


class SupplierOrderFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        field_name="status", choices=OrderGroup.STATUS_CHOICES, help_text="Order groups in this status."
    )


TRANSITIONS_TEXT = (
    "Only valid transitions are allowed: pending → confirmed | cancelled; confirmed → processing | cancelled; "
    "processing → shipped | cancelled; shipped → delivered. Any other move is a 422 VALIDATION_ERROR whose "
    "`details.allowed` lists the statuses the group may move to. The order's payment status does not matter "
    "(orders may be paid on invoice), but a cancelled, refunded or completed order's groups no longer change, "
    "and a shipped or delivered order's groups cannot be cancelled (422). Cancelling puts the items' stock "
    "back. Every change is recorded in the status history with its comment."
)


# --- views ------------------------------------------------------------------------------


@extend_schema(tags=["Supplier Orders"])
class SupplierOrderListView(SupplierView):
    plural = "orders"

    @extend_schema(
        operation_id="supplier_orders_list",
        summary="List your order groups",
        description=(
            "Your order groups (your portion of each order: your items only), newest first. "
            "`id` is the order group's id, used by the other order endpoints."
        ),
        parameters=[*page_parameters(default_per_page=20), *filter_parameters(SupplierOrderFilter)],
        responses={200: supplier_ok("SupplierOrderList", SupplierOrderPageOut())},
    )
    def get(self, request):
        qs = apply_filterset(SupplierOrderFilter, request, selectors.order_group_list(supplier_id=self.supplier_id))
        page = self.paginate(qs, request)
        return self.paginated_response(page, [order_group_list_dict(row) for row in page.rows])


@extend_schema(tags=["Supplier Orders"])
class SupplierOrderDetailView(SupplierView):
    @extend_schema(
        operation_id="supplier_orders_retrieve",
        summary="Get an order group",
        description=(
            "One of your order groups (`id` is the order group's id, as in the list): your items of the order, "
            "the customer's email, the shipping address and the group's status history."
        ),
        responses={200: supplier_ok("SupplierOrderDetail", SupplierOrderDetailOut())},
    )
    def get(self, request, pk: int):
        row = selectors.order_group_detail(supplier_id=self.supplier_id, group_id=pk)
        return Response(order_group_detail_dict(row))


@extend_schema(tags=["Supplier Orders"])
class SupplierOrderStatusView(SupplierView):
    @extend_schema(
        operation_id="supplier_orders_status",
        summary="Update an order group's status",
        description=TRANSITIONS_TEXT + " Answers with the updated order group.",
        request=OrderStatusInput,
        responses={200: supplier_ok("SupplierOrderStatusResult", SupplierOrderDetailOut())},
        examples=[OpenApiExample(
            "Confirm", value={"status": "confirmed", "comment": "Order confirmed, preparing for shipment"},
            request_only=True,
        )],
    )
    def post(self, request, pk: int):
        group = selectors.order_group_get(supplier_id=self.supplier_id, group_id=pk)
        data = read_body(OrderStatusInput, request).validated_data
        services.order_group_transition(
            group=group, to_status=data["status"], actor=self.actor, comment=data.get("comment", "")
        )
        row = selectors.order_group_detail(supplier_id=self.supplier_id, group_id=pk)
        return Response(order_group_detail_dict(row))
