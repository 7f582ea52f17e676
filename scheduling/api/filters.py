"""Query parameters of GET /api/v1/appointments; a bad value is a 400 naming the parameter.

``date_from``/``date_to`` are calendar dates (YYYY-MM-DD, UTC), both inclusive.
"""
import datetime as dt

import django_filters
from django import forms

from scheduling.models import Appointment
from verso.api.query import StrictDateFilter


class PositiveIdField(forms.IntegerField):
    default_error_messages = {"invalid": "Must be a whole number."}

    def __init__(self, **kwargs):
        super().__init__(min_value=1, **kwargs)


class PositiveIdFilter(django_filters.Filter):
    field_class = PositiveIdField


class AppointmentListFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Appointment.Status.choices)
    estimator_id = PositiveIdFilter(field_name="estimator_id")
    date_from = StrictDateFilter(method="filter_date_from")
    date_to = StrictDateFilter(method="filter_date_to")

    class Meta:
        model = Appointment
        fields: list = []

    @staticmethod
    def _midnight(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)

    def filter_date_from(self, queryset, name, value):
        return queryset.filter(scheduled_time__gte=self._midnight(value))

    def filter_date_to(self, queryset, name, value):
        if value == dt.date.max:
            return queryset.filter(scheduled_time__gte=self._midnight(dt.date.min))  # no upper bound left
        return queryset.filter(scheduled_time__lt=self._midnight(value + dt.timedelta(days=1)))

    def is_valid(self):
        if not super().is_valid():
            return False
        start, end = self.form.cleaned_data.get("date_from"), self.form.cleaned_data.get("date_to")
        if start and end and start > end:
            self.form.add_error("date_to", "Must not be earlier than date_from.")
            return False
        return True
