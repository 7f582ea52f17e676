"""Appointment reads: plain rows in the Staff API's representation."""
from django.db.models import QuerySet

from .models import Appointment
from .services import APPOINTMENT_FIELDS


def appointment_rows() -> QuerySet:
    """Every appointment as a dict of the representation's fields, soonest first."""
    return Appointment.objects.order_by("scheduled_time", "id").values(*APPOINTMENT_FIELDS)


def appointment_row(*, appointment_id: int) -> dict | None:
    return appointment_rows().filter(pk=appointment_id).first()
