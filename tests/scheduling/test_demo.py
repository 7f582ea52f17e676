"""Demo data for scheduling: plentiful, valid, and loaded only once."""
import io

import pytest

from scheduling import demo as scheduling_demo
from scheduling.models import Appointment, Estimator, Service

pytestmark = pytest.mark.django_db


def test_the_scheduling_demo_seeds_non_overlapping_appointments_once():
    scheduling_demo.seed(io.StringIO())
    scheduling_demo.seed(io.StringIO())

    assert (Estimator.objects.count(), Service.objects.count(), Appointment.objects.count()) == (3, 4, 60)
    for estimator in Estimator.objects.all():
        slots = list(estimator.appointments.order_by("scheduled_time").values_list("scheduled_time", "ends_at"))
        assert all(end <= next_start for (_, end), (next_start, _) in zip(slots, slots[1:], strict=False))
