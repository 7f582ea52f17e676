"""Shapes of the Appointments API: input serializers check types only; rules live in scheduling.services."""
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import serializers

from scheduling.models import Appointment


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


class AppointmentStatusField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=Appointment.Status.choices, **kwargs)


class AppointmentStatusFieldSchema(OpenApiSerializerFieldExtension):
    """Documents the statuses as one named component, AppointmentStatusEnum: several apps have a
    "status" enum, and drf-spectacular's automatic naming would collide on them."""

    target_class = AppointmentStatusField

    def map_serializer_field(self, auto_schema, direction):
        component = ResolvedComponent(
            name="AppointmentStatusEnum", type=ResolvedComponent.SCHEMA, object="AppointmentStatusEnum",
            schema={"type": "string", "enum": Appointment.Status.values},
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


class AppointmentCreateInput(RejectUnknownFields, serializers.Serializer):
    first_name = StrictCharField(max_length=100)
    last_name = StrictCharField(max_length=100)
    email = serializers.EmailField(max_length=254)
    phone = StrictCharField(max_length=50)
    scheduled_time = serializers.DateTimeField(help_text="ISO 8601; a time without an offset is UTC.")
    duration_minutes = StrictIntegerField(
        required=False, min_value=1, max_value=24 * 60, help_text="Defaults to the service's duration."
    )
    service_id = StrictIntegerField(min_value=1)
    estimator_id = StrictIntegerField(required=False, allow_null=True, min_value=1)
    notes = StrictCharField(required=False, allow_null=True, allow_blank=True, max_length=10000)
    status = AppointmentStatusField(required=False)


class AppointmentUpdateInput(AppointmentCreateInput):
    """PATCH: any subset of the create fields (used with ``partial=True``)."""


class AppointmentOutput(serializers.Serializer):
    """The contract's appointment representation (documentation only: lists render plain rows)."""

    id = serializers.IntegerField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    email = serializers.EmailField()
    phone = serializers.CharField()
    scheduled_time = serializers.DateTimeField()
    duration_minutes = serializers.IntegerField()
    status = AppointmentStatusField()
    service_id = serializers.IntegerField()
    estimator_id = serializers.IntegerField(allow_null=True)
    notes = serializers.CharField(allow_null=True)
