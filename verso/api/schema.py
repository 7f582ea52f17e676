"""OpenAPI: declare both bearer schemes and the error envelopes for drf-spectacular."""
from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers


class StaffKeyScheme(OpenApiAuthenticationExtension):
    target_class = "verso.api.authentication.StaffKeyAuthentication"
    name = "StaffApiKey"

    def get_security_definition(self, auto_schema):
        return settings.SPECTACULAR_SETTINGS["APPEND_COMPONENTS"]["securitySchemes"][self.name]


class SupplierKeyScheme(OpenApiAuthenticationExtension):
    target_class = "verso.api.authentication.SupplierKeyAuthentication"
    name = "SupplierApiKey"

    def get_security_definition(self, auto_schema):
        return settings.SPECTACULAR_SETTINGS["APPEND_COMPONENTS"]["securitySchemes"][self.name]


StaffError = inline_serializer(
    "StaffError",
    {
        "error": serializers.CharField(),
        "code": serializers.CharField(),
        "details": serializers.DictField(required=False),
    },
)

StaffWriteResult = inline_serializer(
    "StaffWriteResult", {"id": serializers.IntegerField(), "message": serializers.CharField()}
)

StaffPagination = inline_serializer(
    "StaffPagination",
    {
        "page": serializers.IntegerField(),
        "per_page": serializers.IntegerField(),
        "total": serializers.IntegerField(),
        "pages": serializers.IntegerField(),
    },
)

SupplierPagination = inline_serializer(
    "SupplierPagination",
    {
        "current_page": serializers.IntegerField(),
        "total_pages": serializers.IntegerField(),
        "total_items": serializers.IntegerField(),
        "per_page": serializers.IntegerField(),
    },
)


def staff_page_of(name: str, item_serializer) -> serializers.Serializer:
    """The Staff API's paginated list envelope around ``item_serializer``."""
    return inline_serializer(name, {"data": item_serializer(many=True), "pagination": StaffPagination})


def staff_errors(*statuses: int) -> dict:
    return {status: StaffError for status in statuses}
