"""Query-parameter filters for the commerce lists; any unparsable value is a 400 naming it."""
import django_filters
from django import forms

from commerce.models import Order, Product, stock_status_expression
from verso.api.query import InstantFilter, RangeFilterSet

_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}


class StrictBooleanField(forms.Field):
    """``true``/``false`` (also 1/0, yes/no); anything else is an error, not "no filter"."""

    def to_python(self, value):
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise forms.ValidationError("Must be true or false.")


class BooleanFilter(django_filters.Filter):
    field_class = StrictBooleanField


class IntegerFilter(django_filters.Filter):
    field_class = forms.IntegerField


class ProductFilter(django_filters.FilterSet):
    is_digital = BooleanFilter(field_name="is_digital")
    in_stock = BooleanFilter(method="filter_in_stock")
    category_id = IntegerFilter(field_name="category_id")
    # Beyond the contract:
    supplier_id = IntegerFilter(field_name="supplier_id")
    is_active = BooleanFilter(field_name="is_active")
    approval_status = django_filters.ChoiceFilter(field_name="approval_status", choices=Product.APPROVAL_CHOICES)
    stock_status = django_filters.ChoiceFilter(
        method="filter_stock_status",
        choices=[(s, s) for s in (Product.IN_STOCK, Product.LOW_STOCK, Product.OUT_OF_STOCK)],
    )

    def filter_in_stock(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(stock_qty__gt=0) if value else queryset.filter(stock_qty__lte=0)

    def filter_stock_status(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.alias(stock_status=stock_status_expression()).filter(stock_status=value)


class CategoryFilter(django_filters.FilterSet):
    parent_id = IntegerFilter(field_name="parent_id")
    is_active = BooleanFilter(field_name="is_active")
    type = django_filters.ChoiceFilter(field_name="type", choices=[("flower", "flower"), ("supply", "supply")])


class OrderFilter(RangeFilterSet):
    status = django_filters.ChoiceFilter(field_name="status", choices=Order.STATUS_CHOICES)
    # Both bounds include what they name, as for leads: created_after is compared with ">=";
    # created_before is parsed with end_of_day into the exclusive bound just past it (the
    # next midnight for a bare date, +1 microsecond for an instant) and compared with "<".
    created_after = InstantFilter(field_name="created_at", lookup_expr="gte")
    created_before = InstantFilter(field_name="created_at", lookup_expr="lt", end_of_day=True)
    ranges = (("created_after", "created_before"),)
    # Beyond the contract:
    email = django_filters.CharFilter(field_name="email", lookup_expr="iexact")
    fulfillment_status = django_filters.ChoiceFilter(field_name="fulfillment_status", choices=Order.FULFILLMENT_CHOICES)
