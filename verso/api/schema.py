"""OpenAPI: the bearer schemes, the error envelopes, and an AutoSchema that documents every
operation exactly as the platform answers it.

``VersoAutoSchema`` is the one place that knows what the platform adds to every view:
the error statuses it can answer (auth, rate limits, bad parameters, body errors,
idempotency conflicts, unknown ids), the ``Idempotency-Key`` header on POSTs, and that
input bodies refuse unknown fields (``additionalProperties: false``). Views declare only
their own success shapes and the errors particular to them.
"""
from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, inline_serializer
from rest_framework import serializers

from .fields import InputSerializer
from .idempotency import MAX_KEY_LENGTH


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

SupplierError = inline_serializer(
    "SupplierError",
    {
        "success": serializers.BooleanField(),
        "error": inline_serializer(
            "SupplierErrorBody",
            {
                "code": serializers.CharField(),
                "message": serializers.CharField(),
                "details": serializers.DictField(required=False),
            },
        ),
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


NO_NUL = r"^[^\u0000]*$"
NOT_BLANK_NO_NUL = r"^[^\u0000]*[^\s\u0000][^\u0000]*$"

SLUG = r"^[-a-zA-Z0-9_]+$"


def _text_pattern(field: serializers.CharField) -> str:
    """What a CharField refuses, as a pattern: a slug's other characters; NUL characters; and
    (unless blank is allowed) text that is only whitespace, since it is trimmed first."""
    if isinstance(field, serializers.SlugField) and not field.allow_unicode:
        return SLUG
    return NO_NUL if field.allow_blank or not field.trim_whitespace else NOT_BLANK_NO_NUL


IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    # Printable ASCII with at least one non-space character (surrounding spaces are trimmed).
    "Idempotency-Key",
    {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH, "pattern": r"^[ -~]*[!-~][ -~]*$"},
    location=OpenApiParameter.HEADER, required=False,
    description="Repeat a POST safely: the same key and body replay the stored response (24 hours).",
)


class VersoAutoSchema(AutoSchema):
    def _is_list_view(self, serializer=None) -> bool:
        # Every list documents its own page object ({"data": [...], "pagination": ...}):
        # never wrap a response in an array on our behalf.
        return False

    def _get_request_for_media_type(self, serializer, direction="request"):
        # drf-spectacular makes every PATCH body partial; ours say so themselves
        # (``request=X(partial=True)``), so a field a PATCH needs stays required.
        if self.method != "PATCH":
            return super()._get_request_for_media_type(serializer, direction)
        self.method = "PUT"
        try:
            return super()._get_request_for_media_type(serializer, direction)
        finally:
            self.method = "PATCH"

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if direction != "request" or "$ref" in schema:
            return schema
        if isinstance(field, serializers.ListField):
            if not field.allow_empty:
                schema.setdefault("minItems", 1)
            if field.max_length is not None:
                schema["maxItems"] = field.max_length
        elif isinstance(field, serializers.CharField):
            # A blank-allowed field is documented as oneOf [the text, ""]: the pattern goes on the text.
            for branch in [schema, *schema.get("oneOf", [])]:
                if branch.get("type") == "string" and "format" not in branch and branch.get("maxLength") != 0:
                    branch["pattern"] = _text_pattern(field)
        return schema

    def _map_serializer(self, serializer, direction, bypass_extensions=False):
        schema = super()._map_serializer(serializer, direction, bypass_extensions)
        if direction == "request" and isinstance(serializer, InputSerializer):
            schema["additionalProperties"] = False  # InputSerializer refuses unknown fields with a 422
            if serializer.one_of_required:
                schema["anyOf"] = [{"required": [name]} for name in serializer.one_of_required]
        return schema

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if self.method == "POST":
            parameters.append(IDEMPOTENCY_KEY_PARAMETER)
        return parameters

    def _get_response_bodies(self, direction="response"):
        # Hooked here, not in get_response_serializers(), which @extend_schema replaces.
        responses = super()._get_response_bodies(direction)
        error = SupplierError if getattr(self.view, "api_flavour", "staff") == "supplier" else StaffError
        for status in map(str, self._platform_error_statuses()):
            if status not in responses:
                responses[status] = self._get_response_for_code(error, status, direction=direction)
        return dict(sorted(responses.items()))

    def _platform_error_statuses(self) -> list[int]:
        """What the platform itself may answer for this operation, whatever the view does."""
        statuses = [401, 403, 429]
        if any(p.location == OpenApiParameter.QUERY for p in self.get_override_parameters()):
            statuses.append(400)  # a bad query parameter
        if self.method in ("POST", "PUT", "PATCH"):
            statuses += [400, 413, 415, 422]  # malformed JSON, too large, not JSON, invalid body
        if self.method == "POST":
            statuses += [400, 409]  # a malformed Idempotency-Key; one in use or reused with another body
        if "{" in self.path:
            statuses.append(404)
        return statuses
