"""Query parameters of GET /api/v1/appointments; a bad value is a 400 naming the parameter.

``date_from``/``date_to`` are calendar dates (YYYY-MM-DD, UTC), both inclusive.
"""
import django_filters

from scheduling.models import Appointment
from verso.api.query import DayBoundFilter, IdFilter, RangeFilterSet


class AppointmentListFilter(RangeFilterSet):
    status = django_filters.ChoiceFilter(choices=Appointment.Status.choices, help_text="Filter by status.")
    estimator_id = IdFilter(field_name="estimator_id", help_text="Filter by assigned estimator.")
    # date_to's whole day counts: it becomes the next midnight, compared with "<".
    date_from = DayBoundFilter(
        field_name="scheduled_time", lookup_expr="gte", help_text="Appointments on or after this date (UTC)."
    )
    date_to = DayBoundFilter(
        field_name="scheduled_time", lookup_expr="lt", end_of_day=True,
        help_text="Appointments on or before this date (UTC).",
    )
    ranges = (("date_from", "date_to"),)

    class Meta:
        model = Appointment
        fields: list = []
