"""Staff API: /api/v1/appointments (contract: reference/staff-api.md, Appointments; DESIGN.md)."""

import pytest

from scheduling.models import Appointment
from scheduling.state import APPOINTMENT_TRANSITIONS
from tests.factories import AppointmentFactory, EstimatorFactory, ServiceFactory
from tests.helpers import assert_same_shape, assert_staff_error, at, queries_for
from webhooks.models import Event

pytestmark = pytest.mark.django_db

CONTRACT_APPOINTMENT = {
    "id": 1,
    "first_name": "John",
    "last_name": "Doe",
    "email": "john@example.com",
    "phone": "+1-555-123-4567",
    "scheduled_time": "2024-12-10T14:00:00Z",
    "duration_minutes": 60,
    "status": "scheduled",
    "service_id": 1,
    "estimator_id": 2,
    "notes": None,
}


@pytest.fixture
def service():
    return ServiceFactory(duration_minutes=60)


@pytest.fixture
def estimator():
    return EstimatorFactory()


def _booking(service, estimator, **overrides) -> dict:
    return {
        "first_name": "Jane", "last_name": "Smith", "email": "jane@example.com", "phone": "+1-555-987-6543",
        "scheduled_time": "2030-01-07T14:00:00Z", "service_id": service.id, "estimator_id": estimator.id,
        **overrides,
    }


# --- GET /api/v1/appointments -----------------------------------------------------------


def test_list_matches_the_contract_example_key_for_key(staff_client, service, estimator):
    appointment = AppointmentFactory(
        email="john@example.com", scheduled_time=at("2024-12-10T14:00:00Z"), service=service, estimator=estimator
    )

    response = staff_client.get("/api/v1/appointments")

    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["data", "pagination"]
    assert body["pagination"] == {"page": 1, "per_page": 25, "total": 1, "pages": 1}
    expected = {**CONTRACT_APPOINTMENT, "id": appointment.id, "service_id": service.id, "estimator_id": estimator.id}
    assert body["data"] == [expected]
    assert_same_shape(body["data"][0], CONTRACT_APPOINTMENT)


def test_list_shows_an_unassigned_appointment_with_a_null_estimator(staff_client):
    AppointmentFactory(estimator=None)

    assert staff_client.get("/api/v1/appointments").json()["data"][0]["estimator_id"] is None


def test_list_is_soonest_first(staff_client, service):
    later = AppointmentFactory(scheduled_time=at("2030-01-02T10:00:00Z"), service=service)
    sooner = AppointmentFactory(scheduled_time=at("2030-01-01T10:00:00Z"), service=service)

    data = staff_client.get("/api/v1/appointments").json()["data"]

    assert [row["id"] for row in data] == [sooner.id, later.id]


def test_list_filters_by_status(staff_client):
    AppointmentFactory(status="scheduled")
    confirmed = AppointmentFactory(status="confirmed")

    data = staff_client.get("/api/v1/appointments?status=confirmed").json()["data"]

    assert [row["id"] for row in data] == [confirmed.id]


def test_list_refuses_an_unknown_status_with_400(staff_client):
    body = assert_staff_error(staff_client.get("/api/v1/appointments?status=done"), 400, "VALIDATION_ERROR")
    assert "status" in body["details"]


def test_list_filters_by_estimator_id(staff_client, estimator):
    AppointmentFactory()
    mine = AppointmentFactory(estimator=estimator)

    data = staff_client.get(f"/api/v1/appointments?estimator_id={estimator.id}").json()["data"]

    assert [row["id"] for row in data] == [mine.id]


@pytest.mark.parametrize("value", ["abc", "0", "-3", "1.5"])
def test_list_refuses_a_bad_estimator_id_with_400(staff_client, value):
    body = assert_staff_error(staff_client.get(f"/api/v1/appointments?estimator_id={value}"), 400, "VALIDATION_ERROR")
    assert "estimator_id" in body["details"]


def test_list_filters_by_date_from_inclusively(staff_client):
    AppointmentFactory(scheduled_time=at("2030-01-09T23:59:00Z"))
    first_minute = AppointmentFactory(scheduled_time=at("2030-01-10T00:00:00Z"))

    data = staff_client.get("/api/v1/appointments?date_from=2030-01-10").json()["data"]

    assert [row["id"] for row in data] == [first_minute.id]


def test_list_filters_by_date_to_including_that_whole_day(staff_client):
    last_minute = AppointmentFactory(scheduled_time=at("2030-01-10T23:00:00Z"))
    AppointmentFactory(scheduled_time=at("2030-01-11T00:00:00Z"))

    data = staff_client.get("/api/v1/appointments?date_to=2030-01-10").json()["data"]

    assert [row["id"] for row in data] == [last_minute.id]


def test_list_filters_by_a_date_range(staff_client):
    AppointmentFactory(scheduled_time=at("2030-01-01T10:00:00Z"))
    inside = AppointmentFactory(scheduled_time=at("2030-01-05T10:00:00Z"))
    AppointmentFactory(scheduled_time=at("2030-01-09T10:00:00Z"))

    data = staff_client.get("/api/v1/appointments?date_from=2030-01-02&date_to=2030-01-08").json()["data"]

    assert [row["id"] for row in data] == [inside.id]


@pytest.mark.parametrize("param", ["date_from", "date_to"])
@pytest.mark.parametrize("value", ["tomorrow", "2030-02-30", "01/10/2030", "2030-01-10T10:00:00Z"])
def test_list_refuses_a_bad_date_with_400_naming_it(staff_client, param, value):
    body = assert_staff_error(staff_client.get(f"/api/v1/appointments?{param}={value}"), 400, "VALIDATION_ERROR")
    assert param in body["details"]


def test_list_refuses_date_from_after_date_to(staff_client):
    response = staff_client.get("/api/v1/appointments?date_from=2030-01-10&date_to=2030-01-09")

    assert_staff_error(response, 400, "VALIDATION_ERROR")


def test_list_paginates(staff_client, service):
    made = [AppointmentFactory(service=service, estimator=None) for _ in range(5)]

    body = staff_client.get("/api/v1/appointments?page=2&per_page=2").json()

    assert [row["id"] for row in body["data"]] == [made[2].id, made[3].id]
    assert body["pagination"] == {"page": 2, "per_page": 2, "total": 5, "pages": 3}


def test_list_refuses_a_bad_page_with_400(staff_client):
    assert_staff_error(staff_client.get("/api/v1/appointments?page=zero"), 400, "VALIDATION_ERROR")


def test_list_runs_the_same_number_of_queries_for_1_or_100_rows(make_staff_client, service):
    client = make_staff_client(scopes=["read:appointments"], rate_limit_override="1000/m")
    for _ in range(110):
        AppointmentFactory(service=service, estimator=None)
    client.get("/api/v1/appointments")  # warm the key cache

    url = "/api/v1/appointments?per_page={}"
    assert queries_for(client, url.format(1)) == queries_for(client, url.format(100))


def test_list_needs_the_read_appointments_scope(make_staff_client):
    client = make_staff_client(scopes=["write:appointments", "read:leads"])

    body = assert_staff_error(client.get("/api/v1/appointments"), 403, "FORBIDDEN")
    assert "read:appointments" in body["error"]


def test_list_needs_an_api_key(anon_client):
    assert_staff_error(anon_client.get("/api/v1/appointments"), 401, "UNAUTHORIZED")


# --- GET /api/v1/appointments/{id} ------------------------------------------------------


def test_get_one_has_the_list_representation(staff_client, service, estimator):
    appointment = AppointmentFactory(
        email="john@example.com", scheduled_time=at("2024-12-10T14:00:00Z"), service=service, estimator=estimator
    )

    response = staff_client.get(f"/api/v1/appointments/{appointment.id}")

    assert response.status_code == 200
    assert response.json() == {
        **CONTRACT_APPOINTMENT, "id": appointment.id, "service_id": service.id, "estimator_id": estimator.id,
    }


def test_get_one_unknown_is_404(staff_client):
    body = assert_staff_error(staff_client.get("/api/v1/appointments/999999"), 404, "NOT_FOUND")
    assert body["error"] == "Appointment not found"


def test_get_one_needs_the_read_appointments_scope(make_staff_client):
    appointment = AppointmentFactory()
    client = make_staff_client(scopes=["write:appointments"])

    assert_staff_error(client.get(f"/api/v1/appointments/{appointment.id}"), 403, "FORBIDDEN")


# --- POST /api/v1/appointments ----------------------------------------------------------


def test_create_answers_201_and_books_with_the_services_duration(staff_client, service, estimator):
    response = staff_client.post("/api/v1/appointments", _booking(service, estimator), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert_same_shape(body, {"id": 1, "message": "Appointment created successfully"})
    assert body["message"] == "Appointment created successfully"
    appointment = Appointment.objects.get(pk=body["id"])
    assert appointment.duration_minutes == 60
    assert appointment.status == "scheduled"
    assert appointment.scheduled_time == at("2030-01-07T14:00:00Z")
    assert appointment.ends_at == at("2030-01-07T15:00:00Z")


def test_created_appointment_reads_back_as_posted(staff_client, service, estimator):
    posted = _booking(service, estimator, duration_minutes=45, notes="Gate code 1234", status="confirmed")

    appointment_id = staff_client.post("/api/v1/appointments", posted, format="json").json()["id"]

    assert staff_client.get(f"/api/v1/appointments/{appointment_id}").json() == {"id": appointment_id, **posted}


def test_create_without_an_estimator_is_allowed(staff_client, service, estimator):
    response = staff_client.post("/api/v1/appointments", _booking(service, estimator, estimator_id=None), format="json")

    assert response.status_code == 201
    assert Appointment.objects.get().estimator_id is None


def test_create_without_required_fields_is_422_naming_each(staff_client):
    body = assert_staff_error(staff_client.post("/api/v1/appointments", {}, format="json"), 422, "VALIDATION_ERROR")

    assert set(body["details"]) == {"first_name", "last_name", "email", "phone", "scheduled_time", "service_id"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", "nope"),
        ("scheduled_time", "next tuesday"),
        ("duration_minutes", 0),
        ("duration_minutes", "60"),
        ("duration_minutes", 24 * 60 + 1),
        ("status", "done"),
        ("service_id", "1"),
        ("estimator_id", True),
    ],
)
def test_create_with_a_badly_typed_field_is_422_naming_it(staff_client, service, estimator, field, value):
    response = staff_client.post("/api/v1/appointments", _booking(service, estimator, **{field: value}), format="json")

    assert set(assert_staff_error(response, 422, "VALIDATION_ERROR")["details"]) == {field}


def test_create_with_an_unknown_service_is_422(staff_client, estimator):
    response = staff_client.post(
        "/api/v1/appointments", _booking(ServiceFactory.build(id=999999), estimator), format="json"
    )

    assert set(assert_staff_error(response, 422, "VALIDATION_ERROR")["details"]) == {"service_id"}


def test_create_with_an_inactive_service_is_422(staff_client, estimator):
    service = ServiceFactory(is_active=False)

    response = staff_client.post("/api/v1/appointments", _booking(service, estimator), format="json")

    assert set(assert_staff_error(response, 422, "VALIDATION_ERROR")["details"]) == {"service_id"}


def test_create_with_an_unknown_or_inactive_estimator_is_422(staff_client, service):
    inactive = EstimatorFactory(is_active=False)

    for estimator_id in (999999, inactive.id):
        response = staff_client.post(
            "/api/v1/appointments", _booking(service, inactive, estimator_id=estimator_id), format="json"
        )
        assert set(assert_staff_error(response, 422, "VALIDATION_ERROR")["details"]) == {"estimator_id"}
    assert Appointment.objects.count() == 0


def test_create_overlapping_the_estimators_booking_is_409_naming_it(staff_client, service, estimator):
    existing = AppointmentFactory(
        estimator=estimator, scheduled_time=at("2030-01-07T13:30:00Z"), duration_minutes=60
    )

    response = staff_client.post("/api/v1/appointments", _booking(service, estimator), format="json")

    body = assert_staff_error(response, 409, "CONFLICT")
    assert body["details"]["conflicting_appointment_id"] == existing.id
    assert body["details"]["estimator_id"] == estimator.id
    assert Appointment.objects.count() == 1


def test_create_right_after_another_booking_is_fine(staff_client, service, estimator):
    AppointmentFactory(estimator=estimator, scheduled_time=at("2030-01-07T13:00:00Z"), duration_minutes=60)

    response = staff_client.post("/api/v1/appointments", _booking(service, estimator), format="json")

    assert response.status_code == 201, response.content


def test_create_for_another_estimator_at_the_same_time_is_fine(staff_client, service, estimator):
    AppointmentFactory(scheduled_time=at("2030-01-07T14:00:00Z"))

    assert staff_client.post("/api/v1/appointments", _booking(service, estimator), format="json").status_code == 201


def test_create_over_a_cancelled_booking_is_fine(staff_client, service, estimator):
    AppointmentFactory(estimator=estimator, scheduled_time=at("2030-01-07T14:00:00Z"), status="cancelled")

    assert staff_client.post("/api/v1/appointments", _booking(service, estimator), format="json").status_code == 201


def test_create_over_a_no_show_is_409_because_a_no_show_keeps_its_slot(staff_client, service, estimator):
    AppointmentFactory(estimator=estimator, scheduled_time=at("2030-01-07T14:00:00Z"), status="no_show")

    response = staff_client.post("/api/v1/appointments", _booking(service, estimator), format="json")

    assert_staff_error(response, 409, "CONFLICT")


def test_create_emits_appointment_created(staff_client, service, estimator):
    appointment_id = staff_client.post("/api/v1/appointments", _booking(service, estimator), format="json").json()["id"]

    event = Event.objects.get(type="appointment.created")
    assert event.data["id"] == appointment_id
    assert event.data["scheduled_time"] == "2030-01-07T14:00:00Z"
    assert event.data["estimator_id"] == estimator.id


def test_create_needs_the_write_appointments_scope(make_staff_client, service, estimator):
    client = make_staff_client(scopes=["read:appointments"])

    response = client.post("/api/v1/appointments", _booking(service, estimator), format="json")

    assert_staff_error(response, 403, "FORBIDDEN")


# --- PATCH /api/v1/appointments/{id} ----------------------------------------------------


def test_patch_changes_the_given_fields(staff_client, estimator):
    appointment = AppointmentFactory(estimator=None, scheduled_time=at("2030-01-07T09:00:00Z"))

    response = staff_client.patch(
        f"/api/v1/appointments/{appointment.id}",
        {"status": "confirmed", "scheduled_time": "2030-01-08T10:00:00Z", "duration_minutes": 90,
         "estimator_id": estimator.id, "notes": "Bring samples"},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert response.json() == {"id": appointment.id, "message": "Appointment updated successfully"}
    appointment.refresh_from_db()
    assert (appointment.status, appointment.duration_minutes, appointment.estimator_id, appointment.notes) == (
        "confirmed", 90, estimator.id, "Bring samples"
    )
    assert appointment.scheduled_time == at("2030-01-08T10:00:00Z")
    assert appointment.ends_at == at("2030-01-08T11:30:00Z")


def test_patch_into_an_overlap_is_409_and_changes_nothing(staff_client, estimator):
    taken = AppointmentFactory(estimator=estimator, scheduled_time=at("2030-01-07T10:00:00Z"))
    moving = AppointmentFactory(estimator=estimator, scheduled_time=at("2030-01-07T12:00:00Z"))

    response = staff_client.patch(
        f"/api/v1/appointments/{moving.id}", {"scheduled_time": "2030-01-07T10:30:00Z"}, format="json"
    )

    assert assert_staff_error(response, 409, "CONFLICT")["details"]["conflicting_appointment_id"] == taken.id
    moving.refresh_from_db()
    assert moving.scheduled_time == at("2030-01-07T12:00:00Z")
    assert not Event.objects.filter(type="appointment.updated").exists()


def test_patch_lengthening_into_the_next_booking_is_409(staff_client, estimator):
    AppointmentFactory(estimator=estimator, scheduled_time=at("2030-01-07T11:00:00Z"))
    first = AppointmentFactory(estimator=estimator, scheduled_time=at("2030-01-07T10:00:00Z"))

    response = staff_client.patch(f"/api/v1/appointments/{first.id}", {"duration_minutes": 61}, format="json")

    assert_staff_error(response, 409, "CONFLICT")


def test_patch_moving_within_its_own_slot_is_fine(staff_client, estimator):
    appointment = AppointmentFactory(estimator=estimator, scheduled_time=at("2030-01-07T10:00:00Z"))

    response = staff_client.patch(
        f"/api/v1/appointments/{appointment.id}", {"scheduled_time": "2030-01-07T10:15:00Z"}, format="json"
    )

    assert response.status_code == 200, response.content


def test_cancelling_frees_the_slot_and_a_cancelled_appointment_stays_cancelled(staff_client, service, estimator):
    first = AppointmentFactory(estimator=estimator, scheduled_time=at("2030-01-07T14:00:00Z"))
    cancel = staff_client.patch(f"/api/v1/appointments/{first.id}", {"status": "cancelled"}, format="json")
    assert cancel.status_code == 200

    rebooked = staff_client.post("/api/v1/appointments", _booking(service, estimator), format="json")
    assert rebooked.status_code == 201

    reactivate = staff_client.patch(f"/api/v1/appointments/{first.id}", {"status": "scheduled"}, format="json")
    body = assert_staff_error(reactivate, 422, "VALIDATION_ERROR")
    assert body["details"]["allowed"] == []
    assert Appointment.objects.get(pk=first.id).status == "cancelled"


@pytest.mark.parametrize("from_status, to_status", [
    ("scheduled", "scheduled"), ("confirmed", "scheduled"), ("in_progress", "no_show"), ("completed", "cancelled"),
    ("no_show", "scheduled"),
])
def test_patching_an_appointment_off_its_lifecycle_is_a_422_naming_the_allowed_targets(
    make_staff_client, from_status, to_status,
):
    # given
    client = make_staff_client(scopes=["write:appointments"])
    appointment = AppointmentFactory(status=from_status)
    allowed = APPOINTMENT_TRANSITIONS[from_status]
    # when
    response = client.patch(f"/api/v1/appointments/{appointment.id}", {"status": to_status, "notes": "x"},
                            format="json")
    # then nothing changed and the error says where it could go
    body = assert_staff_error(response, 422, "VALIDATION_ERROR")
    assert body["details"]["allowed"] == allowed
    assert f"'{from_status}' to '{to_status}'" in body["error"]
    for target in allowed:
        assert target in body["error"]
    assert Appointment.objects.filter(pk=appointment.id, status=from_status, notes=None).exists()
    assert not Event.objects.filter(type="appointment.updated").exists()


def test_patch_with_a_bad_status_is_422(staff_client):
    appointment = AppointmentFactory()

    response = staff_client.patch(f"/api/v1/appointments/{appointment.id}", {"status": "done"}, format="json")

    assert set(assert_staff_error(response, 422, "VALIDATION_ERROR")["details"]) == {"status"}


def test_patch_of_an_unknown_appointment_is_404(staff_client):
    response = staff_client.patch("/api/v1/appointments/999999", {"status": "confirmed"}, format="json")

    assert assert_staff_error(response, 404, "NOT_FOUND")["error"] == "Appointment not found"


def test_patch_emits_appointment_updated_with_previous_values(staff_client):
    appointment = AppointmentFactory(status="scheduled")

    staff_client.patch(f"/api/v1/appointments/{appointment.id}", {"status": "confirmed"}, format="json")

    event = Event.objects.get(type="appointment.updated")
    assert event.data["id"] == appointment.id
    assert event.data["status"] == "confirmed"
    assert event.data["previous_attributes"] == {"status": "scheduled"}


def test_patch_needs_the_write_appointments_scope(make_staff_client):
    appointment = AppointmentFactory()
    client = make_staff_client(scopes=["read:appointments"])

    response = client.patch(f"/api/v1/appointments/{appointment.id}", {"status": "confirmed"}, format="json")

    assert_staff_error(response, 403, "FORBIDDEN")


# --- edges of the calendar and of the input (review findings) ----------------------------


def test_booking_at_the_end_of_the_calendar_is_422_not_500(staff_client, service, estimator):
    response = staff_client.post(
        "/api/v1/appointments", _booking(service, estimator, scheduled_time="9999-12-31T23:30:00Z"), format="json"
    )
    assert_staff_error(response, 422, "VALIDATION_ERROR")
    assert "scheduled_time" in response.json()["details"]
    appointment = AppointmentFactory()
    response = staff_client.patch(
        f"/api/v1/appointments/{appointment.pk}", {"scheduled_time": "9999-12-31T23:59:00Z"}, format="json"
    )
    assert_staff_error(response, 422, "VALIDATION_ERROR")


def test_a_date_without_a_time_is_not_a_booking_time(staff_client, service, estimator):
    response = staff_client.post(
        "/api/v1/appointments", _booking(service, estimator, scheduled_time="2030-01-07"), format="json"
    )
    assert_staff_error(response, 422, "VALIDATION_ERROR")
    assert not Appointment.objects.exists()


def test_empty_notes_are_stored_as_null(staff_client, service, estimator):
    response = staff_client.post("/api/v1/appointments", _booking(service, estimator, notes="  "), format="json")
    assert response.status_code == 201
    assert staff_client.get(f"/api/v1/appointments/{response.json()['id']}").json()["notes"] is None


def test_the_last_date_is_a_valid_date_to(staff_client):
    AppointmentFactory()
    response = staff_client.get("/api/v1/appointments", {"date_to": "9999-12-31"})
    assert response.status_code == 200
    assert response.json()["pagination"]["total"] == 1
