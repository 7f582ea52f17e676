"""Input serializers for every API body: strict JSON types, no unknown fields.

Every request body of both APIs is read by a subclass of ``InputSerializer``: a field name
the serializer does not know is a 422 naming it (never a silent no-op), and a value of
the wrong JSON type is a 422 too (``"12"`` is not a number, ``1`` is not ``true``, ``5``
is not a string) instead of being coerced. The OpenAPI document says the same thing:
``verso.api.schema.VersoAutoSchema`` marks these bodies ``additionalProperties: false``.
"""
import re
from decimal import Decimal

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from verso.api.query import DATE_ONLY
from verso.db import MAX_INT

# (field classes, the JSON types they accept, the message for anything else); first match wins.
_JSON_TYPES: list[tuple[tuple[type, ...], tuple[type, ...], str]] = [
    ((serializers.BooleanField,), (bool,), "Must be true or false."),
    ((serializers.IntegerField,), (int,), "Must be a whole number."),
    ((serializers.FloatField,), (int, float), "Must be a number."),  # EuroField too
    ((serializers.ListField, serializers.ListSerializer), (list,), "Must be a list."),
    ((serializers.DictField, serializers.Serializer), (dict,), "Must be an object."),
    # Text, choices, decimals (written as strings such as "21.00") and dates.
    (
        (serializers.CharField, serializers.ChoiceField, serializers.DecimalField, serializers.DateTimeField,
         serializers.DateField, serializers.TimeField),
        (str,), "Must be a string.",
    ),
]


def json_type_error(field: serializers.Field, value) -> str | list | dict | None:
    """Why ``value`` is the wrong JSON type for ``field``; None when it is the right one (or null)."""
    if value is None:
        return None  # the field's allow_null decides
    for field_classes, json_types, message in _JSON_TYPES:
        if isinstance(field, field_classes):
            if not isinstance(value, json_types) or (isinstance(value, bool) and bool not in json_types):
                return message
            if isinstance(field, serializers.ListField) and not isinstance(field.child, serializers.Serializer):
                item_errors = {i: [e] for i, item in enumerate(value) if (e := json_type_error(field.child, item))}
                return item_errors or None
            return None
    return None


class InputSerializer(serializers.Serializer):
    # Base of every API input serializer (nested ones included): strict types, unknown fields
    # refused. (A comment, not a docstring: OpenAPI would show it as every body's description.)

    # Fields of which the service needs at least one (documented as an OpenAPI anyOf; the
    # service that owns the rule enforces it).
    one_of_required: tuple[str, ...] = ()

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            return super().to_internal_value(data)  # DRF's "Expected a dictionary" error
        errors: dict = {name: ["Unknown field."] for name in sorted(set(data) - set(self.fields))}
        typed = {}
        for name, value in data.items():
            field = self.fields.get(name)
            if field is not None and (error := json_type_error(field, value)):
                errors[name] = error if isinstance(error, dict) else [error]
            else:
                typed[name] = value
        try:
            value = super().to_internal_value(typed)
        except serializers.ValidationError as exc:
            # One answer that names every problem: the fields' own errors beside ours.
            raise serializers.ValidationError({**exc.detail, **errors}) from None
        if errors:
            raise serializers.ValidationError(errors)
        return value


class InstantField(serializers.DateTimeField):
    """An ISO 8601 date *and time*: a bare date is refused rather than read as midnight."""

    def to_internal_value(self, value):
        if isinstance(value, str) and DATE_ONLY.fullmatch(value.strip()):
            self.fail("invalid", format="YYYY-MM-DDThh:mm[:ss][+HH:MM|Z]")
        return super().to_internal_value(value)


PERCENT_PATTERN = r"^(100(\.0{1,2})?|[0-9]{1,2}(\.[0-9]{1,2})?)$"


@extend_schema_field({"type": "string", "pattern": PERCENT_PATTERN, "example": "21.00"})
class PercentField(serializers.DecimalField):
    """A percentage from 0 to 100 with at most two decimals, written as a string ("21", "9.5", "21.00")."""

    def __init__(self, **kwargs):
        super().__init__(max_digits=5, decimal_places=2, min_value=0, max_value=100, **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str) or not re.fullmatch(PERCENT_PATTERN, data):
            self.fail("invalid")
        return super().to_internal_value(data)


@extend_schema_field({"type": "number", "minimum": 0, "maximum": MAX_INT / 100, "multipleOf": 0.01, "example": 2.5})
class EuroField(serializers.FloatField):
    """An amount in euros as a JSON number (``2.5``), at most two decimals, read as whole cents.

    A float a client computed (0.57 arriving as 0.5700000000000001) is still a whole number
    of cents; more precision than that, a negative, a string or true is refused.
    """

    default_error_messages = {
        "invalid": "Must be a number of euros with at most 2 decimals, such as 2.5.",
        "range": f"Must be from 0 to {MAX_INT / 100:.2f}.",
    }

    def to_internal_value(self, data) -> int:
        if isinstance(data, bool) or not isinstance(data, int | float) or data != data:  # NaN
            self.fail("invalid")
        cents = Decimal(str(data)) * 100
        whole = cents.to_integral_value()
        if abs(cents - whole) > Decimal("1e-9"):  # float noise (0.1 + 0.2), never a real fraction of a cent
            self.fail("invalid")
        if not 0 <= whole <= MAX_INT:
            self.fail("range")
        return int(whole)

    def to_representation(self, cents: int) -> Decimal:
        return Decimal(cents) / 100


@extend_schema_field({"type": "number", "minimum": 0, "maximum": 100, "multipleOf": 0.01, "example": 21})
class PercentNumberField(serializers.FloatField):
    """A percentage from 0 to 100 as a JSON number (``21``, ``9.5``), at most two decimals, read
    as a Decimal: the Supplier API's ``vat_rate`` (the Staff API's is a string, PercentField)."""

    default_error_messages = {
        "invalid": "Must be a percentage from 0 to 100 with at most 2 decimals, such as 21 or 9.5.",
    }

    def to_internal_value(self, data) -> Decimal:
        if isinstance(data, bool) or not isinstance(data, int | float) or data != data:  # NaN
            self.fail("invalid")
        rate = Decimal(str(data))
        if not 0 <= rate <= 100:
            self.fail("invalid")
        hundredths = rate * 100
        if abs(hundredths - hundredths.to_integral_value()) > Decimal("0.000001"):
            self.fail("invalid")
        return (hundredths.to_integral_value() / 100).quantize(Decimal("0.01"))

    def to_representation(self, value) -> Decimal:
        return Decimal(value)


def euros(cents: int | None) -> Decimal | None:
    """Cents as the euros a Supplier API response shows (rendered as a JSON number: 2.5)."""
    return None if cents is None else Decimal(cents) / 100


class NamedEnumField(serializers.ChoiceField):
    """A choice field documented as its own named OpenAPI enum component.

    Several apps have a "status" enum and drf-spectacular's automatic naming would collide
    on them, so a subclass names its component: ``enum_name = "LeadStatusEnum"`` and
    ``enum_choices = Lead.Status.choices``.
    """

    enum_name: str
    enum_choices: list[tuple[str, str]]

    def __init__(self, **kwargs):
        super().__init__(choices=self.enum_choices, **kwargs)


class NamedEnumFieldSchema(OpenApiSerializerFieldExtension):
    target_class = NamedEnumField
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        component = ResolvedComponent(
            name=field.enum_name, type=ResolvedComponent.SCHEMA, object=field.enum_name,
            schema={"type": "string", "enum": [value for value, _ in field.enum_choices]},
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref
