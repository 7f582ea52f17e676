"""scheduling.services: booking rules shared by the Staff API, the admin and the demo seed."""
import datetime as dt
import itertools

import pytest

from scheduling import services
from scheduling.models import Appointment
from scheduling.state import APPOINTMENT_TRANSITIONS
from tests.factories import AppointmentFactory, EstimatorFactory, ServiceFactory
from verso.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from webhooks.models import Event

pytestmark = pytest.mark.django_db

AT_TWO = dt.datetime(2030, 1, 7, 14, 0, tzinfo=dt.UTC)
STATUS_PAIRS = list(itertools.product(Appointment.Status.values, Appointment.Status.values))


def _book(service, estimator, **overrides) -> Appointment:
    fields = {
        "first_name": "Jane", "last_name": "Smith", "email": "jane@example.com", "phone": "1",
        "scheduled_time": AT_TWO, "service_id": service.id, "estimator_id": estimator.id if estimator else None,
    }
    return services.appointment_create(**{**fields, **overrides})


def test_appointment_create_defaults_to_the_services_duration_and_emits_its_event():
    service, estimator = ServiceFactory(duration_minutes=90), EstimatorFactory()

    appointment = _book(service, estimator)

    assert appointment.duration_minutes == 90
    assert appointment.ends_at == AT_TWO + dt.timedelta(minutes=90)
    event = Event.objects.get()
    assert event.type == "appointment.created" and event.data["id"] == appointment.id


def test_appointment_create_refuses_a_clash_and_names_it_in_the_conflict():
    service, estimator = ServiceFactory(), EstimatorFactory()
    taken = _book(service, estimator)

    with pytest.raises(Conflict) as caught:
        _book(service, estimator, scheduled_time=AT_TWO + dt.timedelta(minutes=59))

    assert caught.value.details == {"estimator_id": estimator.id, "conflicting_appointment_id": taken.id}
    assert str(taken.id) in caught.value.message
    assert Appointment.objects.count() == 1 and Event.objects.count() == 1


def test_an_appointment_booked_as_cancelled_takes_no_slot():
    service, estimator = ServiceFactory(), EstimatorFactory()
    _book(service, estimator)

    _book(service, estimator, status="cancelled")

    assert Appointment.objects.count() == 2


def test_appointment_update_to_another_estimator_checks_that_estimators_day():
    service = ServiceFactory()
    busy, free = EstimatorFactory(), EstimatorFactory()
    _book(service, busy)
    appointment = _book(service, free)

    with pytest.raises(Conflict):
        services.appointment_update(appointment_id=appointment.id, changes={"estimator_id": busy.id})


def test_appointment_update_refuses_an_inactive_new_estimator_but_lets_an_existing_one_be():
    service, estimator = ServiceFactory(), EstimatorFactory()
    appointment = _book(service, estimator)
    estimator.is_active = False
    estimator.save()

    services.appointment_update(appointment_id=appointment.id, changes={"scheduled_time": AT_TWO.replace(hour=16)})
    services.appointment_update(appointment_id=appointment.id, changes={"estimator_id": None})

    with pytest.raises(ValidationFailed) as caught:
        services.appointment_update(appointment_id=appointment.id, changes={"estimator_id": estimator.id})
    assert set(caught.value.details) == {"estimator_id"}


def test_appointment_update_of_a_missing_appointment_is_not_found():
    with pytest.raises(NotFound):
        services.appointment_update(appointment_id=424242, changes={"status": "confirmed"})


def test_appointment_update_that_changes_nothing_emits_nothing():
    appointment = AppointmentFactory(status="scheduled", notes="Gate code 1234")

    services.appointment_update(appointment_id=appointment.id, changes={"notes": "Gate code 1234"})

    assert not Event.objects.exists()


def test_the_appointment_lifecycle_is_the_one_in_the_design():
    assert APPOINTMENT_TRANSITIONS == {
        "scheduled": ["confirmed", "in_progress", "completed", "cancelled", "no_show"],
        "confirmed": ["in_progress", "completed", "cancelled", "no_show"],
        "in_progress": ["completed", "cancelled"],
        "completed": [],
        "cancelled": [],
        "no_show": [],
    }


@pytest.mark.parametrize("from_status, to_status", STATUS_PAIRS, ids=[f"{a}->{b}" for a, b in STATUS_PAIRS])
def test_an_appointment_moves_only_along_its_lifecycle(from_status, to_status):
    # given
    appointment = AppointmentFactory(status=from_status)
    allowed = APPOINTMENT_TRANSITIONS[from_status]
    # when / then
    if to_status in allowed:
        moved = services.appointment_update(appointment_id=appointment.id, changes={"status": to_status})
        assert Appointment.objects.get(pk=appointment.id).status == moved.status == to_status
        event = Event.objects.get(type="appointment.updated")
        assert event.data["previous_attributes"] == {"status": from_status}
    else:
        with pytest.raises(InvalidTransition) as refused:
            services.appointment_update(appointment_id=appointment.id, changes={"status": to_status})
        assert (refused.value.status_code, refused.value.allowed) == (422, allowed)
        assert Appointment.objects.get(pk=appointment.id).status == from_status
        assert not Event.objects.filter(type="appointment.updated").exists()


def test_appointment_update_refuses_unknown_fields():
    appointment = AppointmentFactory()

    with pytest.raises(ValidationFailed) as caught:
        services.appointment_update(appointment_id=appointment.id, changes={"ends_at": AT_TWO})

    assert set(caught.value.details) == {"ends_at"}


def test_notes_past_their_limit_are_refused_naming_them_on_create_and_update():
    service = ServiceFactory()
    at_limit = _book(service, None, notes="x" * services.NOTES_MAX_LENGTH)

    with pytest.raises(ValidationFailed) as on_create:
        _book(service, None, notes="x" * (services.NOTES_MAX_LENGTH + 1))
    with pytest.raises(ValidationFailed) as on_update:
        services.appointment_update(
            appointment_id=at_limit.id, changes={"notes": "y" * (services.NOTES_MAX_LENGTH + 1)}
        )

    for refused in (on_create.value, on_update.value):
        assert refused.status_code == 422
        assert refused.details == {"notes": f"Ensure this field has no more than {services.NOTES_MAX_LENGTH} "
                                            "characters."}
    assert Appointment.objects.get().notes == "x" * services.NOTES_MAX_LENGTH
