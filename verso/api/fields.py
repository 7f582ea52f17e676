"""Strict serializer fields and mixins shared by the Staff API's input serializers."""
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import serializers

from verso.api.query import DATE_ONLY


class StrictCharField(serializers.CharField):
    """A CharField that refuses numbers and booleans instead of quietly turning them into text."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    """An IntegerField that refuses "12", 12.0 and true: JSON numbers that are whole only."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class InstantField(serializers.DateTimeField):
    """An ISO 8601 date *and time*: a bare date is refused rather than read as midnight."""

    def to_internal_value(self, value):
        if isinstance(value, str) and DATE_ONLY.fullmatch(value.strip()):
            self.fail("invalid", format="YYYY-MM-DDThh:mm[:ss][+HH:MM|Z]")
        return super().to_internal_value(value)


class RejectUnknownFields:
    """A typo'd field name is a 422 naming it, not a silent no-op."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)


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
