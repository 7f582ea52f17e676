"""Shapes of the Leads API: input serializers check types only; the rules live in crm.services."""
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import serializers

from crm.models import Lead


class StrictCharField(serializers.CharField):
    """A CharField that refuses numbers and booleans instead of quietly turning them into text."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class LeadStatusField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=Lead.Status.choices, **kwargs)


class LeadStatusFieldSchema(OpenApiSerializerFieldExtension):
    """Documents the statuses as one named component, LeadStatusEnum: several apps have a
    "status" enum, and drf-spectacular's automatic naming would collide on them."""

    target_class = LeadStatusField

    def map_serializer_field(self, auto_schema, direction):
        component = ResolvedComponent(
            name="LeadStatusEnum", type=ResolvedComponent.SCHEMA, object="LeadStatusEnum",
            schema={"type": "string", "enum": Lead.Status.values},
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref


class RejectUnknownFields:
    """A typo'd field name is a 422 naming it, not a silent no-op."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)


class LeadCreateInput(RejectUnknownFields, serializers.Serializer):
    first_name = StrictCharField(max_length=100)
    last_name = StrictCharField(max_length=100)
    email = serializers.EmailField(max_length=254)
    phone = StrictCharField(max_length=50)
    message = StrictCharField(max_length=10000)
    status = LeadStatusField(required=False)
    source = StrictCharField(max_length=50, required=False)
    notes = StrictCharField(required=False, allow_null=True, allow_blank=True, max_length=10000)
    tags = serializers.ListField(child=StrictCharField(max_length=50), required=False, max_length=20)


class LeadUpdateInput(LeadCreateInput):
    """PATCH: any subset of the create fields (used with ``partial=True``)."""


class LeadOutput(serializers.Serializer):
    """The contract's lead representation (documentation only: lists render plain rows)."""

    id = serializers.IntegerField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    email = serializers.EmailField()
    phone = serializers.CharField()
    message = serializers.CharField()
    status = LeadStatusField()
    source = serializers.CharField()
    notes = serializers.CharField(allow_null=True)
    tags = serializers.ListField(child=serializers.CharField())
    submitted_at = serializers.DateTimeField()
