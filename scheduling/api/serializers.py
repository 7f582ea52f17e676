"""Shapes of the Appointments API: input serializers check types only; rules live in scheduling.services."""
from rest_framework import serializers

from scheduling.models import MAX_DURATION_MINUTES, Appointment
from scheduling.services import NOTES_MAX_LENGTH
from verso.api.fields import InputSerializer, InstantField, NamedEnumField
from verso.db import MAX_BIGINT


class AppointmentStatusField(NamedEnumField):
    enum_name = "AppointmentStatusEnum"
    enum_choices = Appointment.Status.choices


class AppointmentCreateInput(InputSerializer):
    first_name = serializers.CharField(max_length=100)
    last_name = serializers.CharField(max_length=100)
    email = serializers.EmailField(max_length=254)
    phone = serializers.CharField(max_length=50)
    scheduled_time = InstantField(help_text="ISO 8601 date and time; a time without an offset is UTC.")
    duration_minutes = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_DURATION_MINUTES, help_text="Defaults to the service's duration."
    )
    service_id = serializers.IntegerField(min_value=1, max_value=MAX_BIGINT)
    estimator_id = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=MAX_BIGINT)
    notes = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=NOTES_MAX_LENGTH)
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
