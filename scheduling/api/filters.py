"""Query parameters of GET /api/v1/appointments; a bad value is a 400 naming the parameter.

``date_from``/``date_to`` are calendar dates (YYYY-MM-DD, UTC), both inclusive.
"""
import django_filters
from django import forms

from scheduling.models import Appointment
from verso.api.query import DayBoundFilter, RangeFilterSet


class PositiveIdField(forms.IntegerField):
    default_error_messages = {"invalid": "Must be a whole number."}

    def __init__(self, **kwargs):
        super().__init__(min_value=1, **kwargs)


class PositiveIdFilter(django_filters.Filter):
    field_class = PositiveIdField


class AppointmentListFilter(RangeFilterSet):
    status = django_filters.ChoiceFilter(choices=Appointment.Status.choices)
    estimator_id = PositiveIdFilter(field_name="estimator_id")
    # date_to's whole day counts: it becomes the next midnight, compared with "<".
    date_from = DayBoundFilter(field_name="scheduled_time", lookup_expr="gte")
    date_to = DayBoundFilter(field_name="scheduled_time", lookup_expr="lt", end_of_day=True)
    ranges = (("date_from", "date_to"),)

    class Meta:
        model = Appointment
        fields: list = []
