"""The double-booking guarantee under real concurrency, and the database constraint behind it."""

import pytest
from django.db import IntegrityError, connection, transaction

from scheduling import services
from scheduling.models import Appointment
from tests.conftest import KeyedClient
from tests.factories import AppointmentFactory, EstimatorFactory, ServiceFactory
from tests.helpers import at, run_at_once
from verso.errors import Conflict


def _post_concurrently(raw_key: str, api_key, bodies: list[dict]) -> list:
    """POST every body at the same moment, each from its own thread and database connection."""
    clients = [KeyedClient(raw_key, api_key) for _ in bodies]
    return run_at_once(*[
        lambda client=client, body=body: client.post("/api/v1/appointments", body, format="json")
        for client, body in zip(clients, bodies, strict=True)
    ])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_overlapping_bookings_for_one_estimator_yield_exactly_one_201(make_staff_client):
    # given: one estimator and ten requests for overlapping slots (14:00, 14:05, ... 14:45)
    client = make_staff_client(scopes=["write:appointments"], rate_limit_override="1000/m")
    service, estimator = ServiceFactory(duration_minutes=60), EstimatorFactory()
    bodies = [
        {
            "first_name": f"Client{i}", "last_name": "Racer", "email": f"racer{i}@example.com", "phone": "+1-555",
            "scheduled_time": f"2030-03-04T14:{5 * i:02d}:00Z", "service_id": service.id, "estimator_id": estimator.id,
        }
        for i in range(10)
    ]

    # when
    responses = _post_concurrently(client.raw_key, client.api_key, bodies)

    # then
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * 9, [r.content for r in responses]
    winner = next(r.json()["id"] for r in responses if r.status_code == 201)
    for response in responses:
        if response.status_code == 409:
            assert response.json()["code"] == "CONFLICT"
            assert response.json()["details"]["conflicting_appointment_id"] == winner
    assert Appointment.objects.count() == 1
    assert Appointment.objects.get().id == winner


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_bookings_for_different_estimators_all_succeed(make_staff_client):
    client = make_staff_client(scopes=["write:appointments"], rate_limit_override="1000/m")
    service = ServiceFactory()
    estimators = EstimatorFactory.create_batch(5)
    bodies = [
        {
            "first_name": "A", "last_name": "B", "email": "a@example.com", "phone": "1",
            "scheduled_time": "2030-03-04T14:00:00Z", "service_id": service.id, "estimator_id": e.id,
        }
        for e in estimators
    ]

    responses = _post_concurrently(client.raw_key, client.api_key, bodies)

    assert [r.status_code for r in responses] == [201] * 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_cancelled_appointment_no_longer_blocks_concurrent_rebooking(make_staff_client):
    client = make_staff_client(scopes=["write:appointments"], rate_limit_override="1000/m")
    service, estimator = ServiceFactory(), EstimatorFactory()
    taken = AppointmentFactory(service=service, estimator=estimator, scheduled_time=at("2030-03-04T14:00:00Z"))
    services.appointment_update(appointment_id=taken.id, changes={"status": "cancelled"})
    bodies = [
        {
            "first_name": "A", "last_name": "B", "email": "a@example.com", "phone": "1",
            "scheduled_time": "2030-03-04T14:00:00Z", "service_id": service.id, "estimator_id": estimator.id,
        }
    ] * 4

    responses = _post_concurrently(client.raw_key, client.api_key, bodies)

    assert sorted(r.status_code for r in responses) == [201, 409, 409, 409]


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_exclusion_constraint_refuses_an_overlapping_insert_that_bypasses_the_service():
    estimator = EstimatorFactory()
    AppointmentFactory(estimator=estimator, scheduled_time=at("2030-03-04T14:00:00Z"), duration_minutes=60)

    with pytest.raises(IntegrityError, match="scheduling_appointment_no_overlap"), transaction.atomic():
        AppointmentFactory(estimator=estimator, scheduled_time=at("2030-03-04T14:59:00Z"), duration_minutes=30)


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_exclusion_constraint_refuses_an_overlapping_raw_sql_update():
    estimator = EstimatorFactory()
    AppointmentFactory(estimator=estimator, scheduled_time=at("2030-03-04T14:00:00Z"))
    other = AppointmentFactory(estimator=estimator, scheduled_time=at("2030-03-04T16:00:00Z"))

    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE scheduling_appointment SET scheduled_time = %s, ends_at = %s WHERE id = %s",
            [at("2030-03-04T14:30:00Z"), at("2030-03-04T15:30:00Z"), other.id],
        )


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_exclusion_constraint_lets_cancelled_back_to_back_and_unassigned_appointments_be():
    estimator = EstimatorFactory()
    AppointmentFactory(estimator=estimator, scheduled_time=at("2030-03-04T14:00:00Z"))

    AppointmentFactory(estimator=estimator, scheduled_time=at("2030-03-04T14:00:00Z"), status="cancelled")
    AppointmentFactory(estimator=estimator, scheduled_time=at("2030-03-04T15:00:00Z"))  # touches, no overlap
    AppointmentFactory(estimator=None, scheduled_time=at("2030-03-04T14:00:00Z"))
    AppointmentFactory(estimator=None, scheduled_time=at("2030-03-04T14:00:00Z"))

    assert Appointment.objects.count() == 5


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_exclusion_constraint_also_holds_for_no_shows():
    estimator = EstimatorFactory()
    AppointmentFactory(estimator=estimator, scheduled_time=at("2030-03-04T14:00:00Z"), status="no_show")

    with pytest.raises(IntegrityError), transaction.atomic():
        AppointmentFactory(estimator=estimator, scheduled_time=at("2030-03-04T14:30:00Z"))


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_constraint_violation_that_slipped_past_the_check_becomes_a_conflict_naming_the_clash():
    # given: a save that skips the service's check (as a racing writer effectively would)
    estimator = EstimatorFactory()
    taken = AppointmentFactory(estimator=estimator, scheduled_time=at("2030-03-04T14:00:00Z"))
    racer = AppointmentFactory.build(
        estimator=estimator, service=taken.service, scheduled_time=at("2030-03-04T14:30:00Z")
    )

    # when / then
    with pytest.raises(Conflict) as caught:
        services.save_guarded(racer)
    assert caught.value.details == {"estimator_id": estimator.id, "conflicting_appointment_id": taken.id}
    assert Appointment.objects.count() == 1
