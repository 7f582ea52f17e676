"""OpenAPI helpers for the Supplier API: its renderer wraps every success in an envelope."""
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers


def supplier_ok(name: str, data_serializer) -> serializers.Serializer:
    """The whole success body, ``{"success": true, "data": <data_serializer>}``, as OpenAPI shows it."""
    return inline_serializer(name, {"success": serializers.BooleanField(), "data": data_serializer})
