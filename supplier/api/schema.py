"""OpenAPI helpers for the Supplier API: its renderer wraps every answer as {"success": true, "data": …}."""
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers


def supplier_ok(name: str, data_serializer) -> serializers.Serializer:
    """The whole success envelope around ``data_serializer``, as the client receives it."""
    return inline_serializer(name, {"success": serializers.BooleanField(), "data": data_serializer})
