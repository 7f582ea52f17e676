"""OpenAPI helpers for the Supplier API: its renderer wraps every success in an envelope."""
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

from verso.api.schema import SupplierPagination


def supplier_ok(name: str, data_serializer) -> serializers.Serializer:
    """The full success envelope ``{"success": true, "data": ...}`` around ``data_serializer``."""
    return inline_serializer(name, {"success": serializers.BooleanField(), "data": data_serializer})


def supplier_page_of(name: str, plural: str, item) -> serializers.Serializer:
    """A Supplier API list: ``{"success": true, "data": {<plural>: [item…], "pagination": …}}``.
    ``item`` is a serializer class, or an inline one (an instance)."""
    items = serializers.ListField(child=item) if isinstance(item, serializers.BaseSerializer) else item(many=True)
    return supplier_ok(name, inline_serializer(f"{name}Data", {plural: items, "pagination": SupplierPagination}))
