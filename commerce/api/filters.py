"""Query-parameter filters for the commerce lists; any unparsable value is a 400 naming it."""
import django_filters
from django.db.models import Q

from commerce.models import Order, Product, stock_status_expression
from verso.api.query import BooleanFilter, IdFilter, InstantFilter, RangeFilterSet, TextFilter


class ProductFilter(django_filters.FilterSet):
    is_digital = BooleanFilter(field_name="is_digital", help_text="Digital or physical products.")
    in_stock = BooleanFilter(method="filter_in_stock", help_text="Products with stock above zero, or out of stock.")
    category_id = IdFilter(field_name="category_id", help_text="Products in this category.")
    # Beyond the contract:
    supplier_id = IdFilter(field_name="supplier_id", help_text="Products of this supplier.")
    is_active = BooleanFilter(field_name="is_active", help_text="Active or inactive products.")
    approval_status = django_filters.ChoiceFilter(field_name="approval_status", choices=Product.APPROVAL_CHOICES)
    stock_status = django_filters.ChoiceFilter(
        method="filter_stock_status",
        choices=[(s, s) for s in (Product.IN_STOCK, Product.LOW_STOCK, Product.OUT_OF_STOCK)],
    )

    search = TextFilter(method="filter_search", allow_empty=True, help_text="Words in the name, SKU or description.")

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(sku__icontains=value) | Q(description__icontains=value))

    def filter_in_stock(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(stock_qty__gt=0) if value else queryset.filter(stock_qty__lte=0)

    def filter_stock_status(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.alias(stock_status=stock_status_expression()).filter(stock_status=value)


class CategoryFilter(django_filters.FilterSet):
    parent_id = IdFilter(field_name="parent_id", help_text="Children of this category.")
    is_active = BooleanFilter(field_name="is_active", help_text="Active or inactive categories.")
    type = django_filters.ChoiceFilter(field_name="type", choices=[("flower", "flower"), ("supply", "supply")])


class OrderFilter(RangeFilterSet):
    status = django_filters.ChoiceFilter(field_name="status", choices=Order.STATUS_CHOICES)
    # Both bounds include what they name, as for leads: created_after is compared with ">=";
    # created_before is parsed with end_of_day into the exclusive bound just past it (the
    # next midnight for a bare date, +1 microsecond for an instant) and compared with "<".
    created_after = InstantFilter(
        field_name="created_at", lookup_expr="gte", help_text="ISO 8601 datetime or date; created at or after."
    )
    created_before = InstantFilter(
        field_name="created_at", lookup_expr="lt", end_of_day=True,
        help_text="ISO 8601 datetime or date; created at or before (a bare date covers its whole day).",
    )
    ranges = (("created_after", "created_before"),)
    # Beyond the contract:
    email = TextFilter(
        field_name="email", lookup_expr="iexact", help_text="The customer's email (exact, any case)."
    )
    fulfillment_status = django_filters.ChoiceFilter(field_name="fulfillment_status", choices=Order.FULFILLMENT_CHOICES)
